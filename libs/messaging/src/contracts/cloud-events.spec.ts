import type { RecordedEvent } from '@agreements/event-store';
import { ceTypeOf, eventMessage, parseCeType } from './cloud-events';

const signed: RecordedEvent = {
  eventId: '2b0e3c1e-5a6f-5d7e-8f90-0123456789ab',
  type: 'MemorandumSigned',
  streamId: 'agreement-astana-deescalation-memorandum',
  revision: 1,
  position: '11',
  data: { signatories: [{ id: 'RUS', name: 'Russia' }], place: 'Astana' },
  metadata: {
    actor: 'operator',
    commandId: 'cmd-1',
    correlationId: 'corr-1',
    causationId: 'cmd-1',
    occurredAt: '2017-05',
    sources: [{ publisher: 'Xinhua' }],
    schemaVersion: 1,
  },
  recordedAt: '2017-07-06T12:00:00.000Z',
};

describe('the message for a stored event (CloudEvents, Kafka binary mode)', () => {
  it('is keyed by stream id, carries the data as JSON, and every attribute as a ce_ header', () => {
    expect(eventMessage(signed, '/agreements')).toEqual({
      key: 'agreement-astana-deescalation-memorandum',
      value: JSON.stringify(signed.data),
      headers: {
        ce_specversion: '1.0',
        ce_id: signed.eventId,
        ce_type: 'agreements.MemorandumSigned.v1',
        ce_source: '/agreements',
        ce_subject: 'agreement-astana-deescalation-memorandum',
        ce_time: '2017-07-06T12:00:00.000Z',
        ce_dataschema: 'urn:agreements:schema:MemorandumSigned.v1',
        'content-type': 'application/json',
        ce_occurredat: '2017-05',
        ce_revision: '1',
        ce_position: '11',
        ce_correlationid: 'corr-1',
        ce_causationid: 'cmd-1',
        ce_actor: 'operator',
      },
    });
  });

  it('names the schema version the event was written with', () => {
    const v2 = { ...signed, metadata: { ...signed.metadata, schemaVersion: 2 } };
    expect(eventMessage(v2, '/x').headers.ce_type).toBe('agreements.MemorandumSigned.v2');
    expect(parseCeType(ceTypeOf('TalksScheduled', 3))).toEqual({ eventType: 'TalksScheduled', schemaVersion: 3 });
    expect(parseCeType('com.example.Other')).toBeUndefined();
  });

  it('given a TermSet stored at v1, then it is published in its current shape (v2), and ce_type and ce_dataschema say v2', () => {
    const termSet: RecordedEvent = { ...signed, type: 'TermSet', data: { duration: 'P6M', renewal: 'by-consensus' } };
    const message = eventMessage(termSet, '/agreements');
    expect(JSON.parse(message.value!)).toEqual({ duration: 'P6M', countedFrom: 'entry-into-force', renewal: 'by-consensus' });
    expect([message.headers.ce_type, message.headers.ce_dataschema]).toEqual(['agreements.TermSet.v2', 'urn:agreements:schema:TermSet.v2']);
  });

  it('is the same every time it is built, so a republished event is indistinguishable but for its offset', () => {
    expect(eventMessage(signed, '/agreements')).toEqual(eventMessage(structuredClone(signed), '/agreements'));
  });
});
