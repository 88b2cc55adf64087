// Measures rebuildReadModels. Run with:
//   node --max-old-space-size=8192 -r ./libs/worker-threads/src/swc-register.js \
//     libs/read-models/src/testing/bench-rebuild.ts [sqlite|postgres] [dir] [streams] [eventsPerStream]
// The event store is generated once into {dir}/events.sqlite (streams interleaved at random, every
// command decided by the real deciders) and reused by later runs.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { openReadModelStore, rebuildReadModels } from '@agreements/read-models';
import { dropSchema, TEST_DATABASE_URL } from './backends';
import { appendWorkload, generateWorkload } from './workload';

async function main(): Promise<void> {
  const [backend = 'sqlite', dir = '/tmp/read-models-bench', streamsText = '20000', perStreamText = '50'] = process.argv.slice(2);
  const streams = Number(streamsText);
  const perStream = Number(perStreamText);
  // A path to an existing event store file may be given instead of a directory.
  const eventsFile = dir.endsWith('.sqlite') ? dir : join(dir, `events-${streams}x${perStream}.sqlite`);
  if (!existsSync(eventsFile)) {
    const started = Date.now();
    const events = await SqliteEventStore.open({ file: eventsFile });
    const processes = Math.round(streams / 5);
    // Generated and appended in slices so the whole workload never sits in memory at once;
    // within a slice, streams are interleaved at random.
    const slices = Math.max(1, Math.ceil(streams / 4000));
    for (let slice = 0; slice < slices; slice += 1) {
      const appends = generateWorkload({
        seed: 1000 + slice,
        agreements: Math.round((streams - processes) / slices),
        processes: Math.round(processes / slices),
        eventsPerAgreement: perStream,
        eventsPerProcess: perStream,
      }).map((append) => ({ ...append, streamId: `${append.streamId}-s${slice}` }));
      await appendWorkload(events, appends, 2000);
      console.log(`slice ${slice + 1}/${slices}: head ${await events.headPosition()} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await events.close();
  }
  const events = await SqliteEventStore.open({ file: eventsFile });
  console.log(`event store: ${await events.headPosition()} events`);
  const schema = 'rm_bench';
  const rmDir = join(dir.endsWith('.sqlite') ? '/tmp/read-models-bench' : dir, 'read-models');
  if (backend === 'postgres') await dropSchema(schema);
  else rmSync(rmDir, { recursive: true, force: true });
  const store = await openReadModelStore(backend === 'postgres' ? { databaseUrl: TEST_DATABASE_URL, pgSchema: schema } : { dataDir: rmDir });
  let lastLog = 0;
  const cpuBefore = process.cpuUsage();
  const summary = await rebuildReadModels(events, store, {
    batchSize: Number(process.env.BATCH ?? 20000),
    chunkStreams: process.env.CHUNK ? Number(process.env.CHUNK) : undefined,
    workers: process.env.WORKERS ? Number(process.env.WORKERS) : undefined,
    onProgress: (p) => {
      if (p.phase !== 'loading' || Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        console.log(`${p.phase} ${p.events} events, ${p.eventsPerSecond}/s, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
      }
    },
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // The machine may be shared: events per CPU second of this process is what one free core would do.
  console.log(JSON.stringify({ ...summary, cpuSeconds, eventsPerCpuSecond: Math.round(summary.events / cpuSeconds) }));
  await store.close();
  await events.close();
  if (backend === 'postgres' && process.env.KEEP !== '1') await dropSchema(schema);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
