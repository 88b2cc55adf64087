import { RecordedEvent } from './event-store.port';
import { eventIdFor, toEnvelope } from './handle-command';

describe('eventIdFor', () => {
  it('derives the same name-based (version 5) UUID from the same command id and index', () => {
    const id = eventIdFor('6f1c2a9e-6f0e-4c43-9d0b-3a7d2a1f5b10', 0);

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('6f1c2a9e-6f0e-4c43-9d0b-3a7d2a1f5b10', 0)).toBe(id);
  });

  it('gives each event of a command, and each command, its own id', () => {
    const ids = new Set([eventIdFor('command-a', 0), eventIdFor('command-a', 1), eventIdFor('command-b', 0)]);

    expect(ids.size).toBe(3);
  });
});

describe('toEnvelope', () => {
  it('takes the business time from the metadata and keeps what a decider needs (the schema version too: its loader upcasts)', () => {
    const recorded: RecordedEvent = {
      eventId: 'e-1',
      type: 'MemorandumSigned',
      streamId: 'agreement-1',
      revision: 4,
      position: '17',
      data: { signatories: ['RUS'] },
      metadata: {
        actor: 'desk-1',
        commandId: 'c-1',
        correlationId: 'c-1',
        causationId: 'c-1',
        occurredAt: '2017-05',
        sources: [],
        schemaVersion: 1,
      },
      recordedAt: '2017-07-06T10:00:00.000Z',
    };

    expect(toEnvelope(recorded)).toEqual({
      eventId: 'e-1',
      type: 'MemorandumSigned',
      data: { signatories: ['RUS'] },
      occurredAt: '2017-05',
      recordedAt: '2017-07-06T10:00:00.000Z',
      revision: 4,
      streamId: 'agreement-1',
      schemaVersion: 1,
    });
  });
});
