// The HTTP ceiling of the bench (issue 14): the least a durable command path must do, as a server
// of its own, so that the product's HTTP figure can be read as a share of what this machine
// allows. It takes the bench's command bodies on the same route and:
// - parses and checks the body with one compiled JSON Schema (Ajv, as the product validates);
// - checks a bearer token;
// - refuses a command id it has seen (a unique index) and appends one event row at the stream's
//   next revision (known in memory), all in a transaction per group of requests (group commit:
//   whatever arrived while the previous commit ran), WAL, synchronous=FULL, as the embedded store;
// - answers 201 with the stream, revision and position once its group is on disk.
// No domain, no folding, no read models, no metrics, no logging. Run by bench/sections/http.ts:
//   node dist/bench/lib/http-ceiling-server.js   (DATA_DIR, PORT, HOST and TOKEN from the environment)
import { join } from 'node:path';
import Ajv from 'ajv';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

interface Pending {
  streamId: string;
  commandId: string;
  type: string;
  body: string;
  resolve(answer: { status: number; body: unknown }): void;
}

const commandSchema = {
  type: 'object',
  required: ['type', 'commandId', 'occurredAt', 'data'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['DraftAgreement', 'AddProvision'] },
    commandId: { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' },
    occurredAt: { type: 'string', pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' },
    data: { type: 'object' },
  },
} as const;

function main(): void {
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('http-ceiling-server.js needs DATA_DIR');
  const token = process.env.TOKEN ?? '';
  const db = new Database(join(dataDir, 'ceiling.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, command_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, body TEXT NOT NULL);
           CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);`);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, command_id, type, body) VALUES (?, ?, ?, ?, ?)');
  const revisions = new Map<string, number>();
  const validate = new Ajv({ allErrors: false }).addFormat('uuid', /^[0-9a-f-]{36}$/).compile(commandSchema);

  let queue: Pending[] = [];
  let committing = false;
  const commitGroup = db.transaction((group: Pending[]) => {
    const answers: Array<{ status: number; body: unknown }> = [];
    for (const p of group) {
      const revision = (revisions.get(p.streamId) ?? -1) + 1;
      try {
        const { lastInsertRowid } = insert.run(p.streamId, revision, p.commandId, p.type, p.body);
        revisions.set(p.streamId, revision);
        answers.push({ status: 201, body: { streamId: p.streamId, revision, position: String(lastInsertRowid) } });
      } catch {
        answers.push({ status: 409, body: { error: { code: 'COMMAND_ID_REUSED', message: 'seen before' } } });
      }
    }
    return answers;
  });
  const flush = () => {
    if (committing || queue.length === 0) return;
    committing = true;
    // The next group gathers while this one commits (one event-loop turn later).
    setImmediate(() => {
      const group = queue;
      queue = [];
      const answers = commitGroup(group);
      group.forEach((p, i) => p.resolve(answers[i]));
      committing = false;
      flush();
    });
  };

  const app = Fastify({ logger: false });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v1/agreements/:id/commands', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${token}`) return reply.code(401).send({ error: { code: 'UNAUTHORIZED' } });
    if (!validate(request.body)) return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', details: validate.errors } });
    const body = request.body as { type: string; commandId: string };
    const answer = await new Promise<{ status: number; body: unknown }>((resolve) => {
      queue.push({ streamId: `agreement-${request.params.id}`, commandId: body.commandId, type: body.type, body: JSON.stringify(body), resolve });
      flush();
    });
    return reply.code(answer.status).send(answer.body);
  });
  app.get('/health/ready', async () => ({ status: 'up' }));
  app
    .listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' })
    .then(() => undefined)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  const stop = () => void app.close().then(() => (db.close(), process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
