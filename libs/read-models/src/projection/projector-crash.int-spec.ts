import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '@agreements/event-store';
import { BACKENDS, type Backend, createBackend } from '../testing/backends';
import { dumpReadModels } from '../testing/dump';
import { playScenario } from '../testing/scenario';
import { appendWorkload, generateWorkload } from '../testing/workload';
import { Projector } from './projector';
import { rebuildReadModels } from './rebuild';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const REGISTER = join(ROOT, 'libs/worker-threads/src/swc-register.js');
const CHILD = join(ROOT, 'libs/read-models/src/testing/projector-child.ts');

interface ChildLines {
  child: ChildProcess;
  /** Resolves with the line that matched. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(options: object): ChildLines {
  const child = spawn(process.execPath, ['-r', REGISTER, CHILD], {
    cwd: ROOT,
    env: { ...process.env, READ_MODELS_CHILD: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return {
    child,
    lines,
    exited,
    waitFor(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print the expected line; stderr: ${stderr}; stdout: ${lines.join('|')}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolvePromise(line);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${code ?? signal}) before printing the expected line; stderr: ${stderr}`));
        });
      });
    },
  };
}

describe.each(BACKENDS)('a projector killed with SIGKILL in the middle of a batch (%s)', (backendName) => {
  let backend: Backend;
  let clean: Backend;
  beforeEach(async () => {
    backend = await createBackend(backendName);
    clean = await createBackend(backendName);
  });
  afterEach(async () => {
    await backend.cleanup();
    await clean.cleanup();
  });

  it('resumes from its last commit: no event lost, none counted twice, the read models equal a clean rebuild', async () => {
    const eventsFile = join(backend.dir, 'events.sqlite');
    const events = await SqliteEventStore.open({ file: eventsFile, pollIntervalMs: 20 });
    try {
      await playScenario(events);
      await appendWorkload(events, generateWorkload({ seed: 11, agreements: 60, processes: 8, eventsPerAgreement: 20, eventsPerProcess: 15 }));
      const head = (await events.headPosition())!;
      // Creates the schema before the child starts, so the kill never lands in a migration.
      const store = await backend.open();

      const child = startChild({ eventsFile, store: backend.options, batchSize: 25, lingerMs: 40 });
      // Let some batches commit, then kill it while the next one is written but not committed.
      await child.waitFor((line) => line.startsWith('committed'));
      await child.waitFor((line) => line.startsWith('committed') && child.lines.filter((l) => l.startsWith('committed')).length >= 3);
      const pending = await child.waitFor((line) => line.startsWith('pending') && child.lines.filter((l) => l.startsWith('pending')).length >= 5);
      child.child.kill('SIGKILL');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });

      const committed = child.lines.filter((line) => line.startsWith('committed')).map((line) => line.split(' ')[1]);
      const lastCommitted = committed[committed.length - 1];
      // The batch it was killed in left nothing: the checkpoint is the last commit it reported.
      const afterCrash = await store.activeCheckpoint();
      expect(afterCrash.checkpoint).toBe(lastCommitted);
      expect(Number(pending.split(' ')[1])).toBeGreaterThan(Number(lastCommitted));
      expect(Number(lastCommitted)).toBeLessThan(Number(head));
      const applied = (await store.generationInfo(afterCrash.generation))!.eventsApplied;
      expect(applied).toBe(Number(lastCommitted));

      // Restart and let it finish.
      const projector = new Projector(events, store, { batchSize: 25 });
      await projector.start();
      await projector.waitUntilCaughtUp(30_000);
      await projector.stop();
      expect((await store.generationInfo(afterCrash.generation))!.eventsApplied).toBe(Number(head));

      // The same events, rebuilt into a store that never crashed.
      const reference = await clean.open();
      await rebuildReadModels(events, reference, { batchSize: 1000 });
      expect(await dumpReadModels(store)).toEqual(await dumpReadModels(reference));
    } finally {
      await events.close();
    }
  });
});
