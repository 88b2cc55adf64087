import { readFileSync } from 'node:fs';
import { allEventTypes, eventSchemaVersions } from '@agreements/domain';
import { parse } from 'yaml';
import { messageNameOf } from './document';
import { ASYNCAPI_FILE, renderAsyncApiYaml, writeAsyncApiYaml } from './generate';
import { asyncApiValidators } from '../testing/asyncapi-validation';

describe('docs/asyncapi.yaml', () => {
  it('is what the domain schemas generate (UPDATE_ASYNCAPI=1 rewrites it)', () => {
    if (process.env.UPDATE_ASYNCAPI === '1') writeAsyncApiYaml();
    const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('describes both topics with their keys and headers, and one message per event type and schema version', () => {
    const doc = parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.agreementEvents.address).toBe('agreements.events.v1');
    expect(doc.channels.agreementStatus.address).toBe('agreements.status.v1');
    expect(doc.channels.agreementStatus.bindings.kafka.topicConfiguration['cleanup.policy']).toEqual(['compact']);
    const messages = doc.channels.agreementEvents.messages as Record<string, { $ref: string }>;
    for (const type of allEventTypes) {
      const name = messageNameOf(type, eventSchemaVersions[type]);
      expect(messages[name]).toEqual({ $ref: `#/components/messages/${name}` });
      const message = doc.components.messages[name];
      expect(message['x-ce-type']).toBe(`agreements.${type}.v${eventSchemaVersions[type]}`);
      expect(message.bindings.kafka.key.$ref).toMatch(/^#\/components\/schemas\/(Agreement|Process)?StreamId$/);
      expect(doc.components.schemas[name]).toBeDefined();
    }
    expect(Object.keys(messages)).toHaveLength(allEventTypes.length);
    expect(Object.keys(doc.components.schemas.CloudEventHeaders.properties)).toEqual(
      expect.arrayContaining(['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'content-type', 'ce_occurredat', 'ce_revision', 'ce_position', 'ce_correlationid', 'ce_causationid', 'ce_actor']),
    );
  });

  it('refuses a message whose data or headers break the contract', () => {
    const validators = asyncApiValidators(parse(readFileSync(ASYNCAPI_FILE, 'utf8')));
    const headers = {
      ce_specversion: '1.0',
      ce_id: '6f1d2c3b-1a2b-5c3d-8e4f-001122334455',
      ce_type: 'agreements.MemorandumSigned.v1',
      ce_source: '/agreements',
      ce_subject: 'agreement-astana-memo',
      ce_time: '2017-07-06T12:00:00.000Z',
      'content-type': 'application/json',
      ce_occurredat: '2017-05-04',
      ce_revision: '1',
      ce_position: '12',
      ce_correlationid: 'c',
      ce_causationid: 'c',
      ce_actor: 'operator',
    };
    const data = { signatories: [{ id: 'RUS', name: 'Russia' }], place: 'Astana' };
    expect(validators.eventProblems('agreement-astana-memo', headers, data)).toEqual([]);
    expect(validators.eventProblems('agreement-astana-memo', headers, { signatories: [] })).not.toEqual([]);
    expect(validators.eventProblems('agreement-astana-memo', { ...headers, ce_occurredat: 'August' }, data)).not.toEqual([]);
    expect(validators.eventProblems('agreement-astana-memo', { ...headers, ce_type: 'agreements.Unknown.v1' }, data)).not.toEqual([]);
    expect(validators.eventProblems('process-astana', headers, data)).not.toEqual([]);
  });
});
