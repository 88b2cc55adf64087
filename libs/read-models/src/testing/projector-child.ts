// Test support: a projector process on its own, for the crash test. It reports on stdout
//   pending <checkpoint>    a batch is written but not yet committed (it then lingers a little,
//                           so the parent can kill it right there)
//   committed <checkpoint>  a batch committed
// Options come as JSON in READ_MODELS_CHILD: { eventsFile, store, batchSize, lingerMs }.
import { SqliteEventStore } from '@agreements/event-store';
import { openReadModelStore, Projector } from '@agreements/read-models';

async function main(): Promise<void> {
  const options = JSON.parse(process.env.READ_MODELS_CHILD ?? '{}');
  const events = await SqliteEventStore.open({ file: options.eventsFile, pollIntervalMs: 20 });
  const store = await openReadModelStore(options.store);
  const projector = new Projector(events, store, {
    batchSize: options.batchSize ?? 10,
    hooks: {
      beforeCommit: async ({ checkpoint }) => {
        process.stdout.write(`pending ${checkpoint}\n`);
        await new Promise((resolve) => setTimeout(resolve, options.lingerMs ?? 20));
      },
    },
    onError: (error) => process.stderr.write(`projector error: ${String(error)}\n`),
  });
  projector.onApplied((batch) => process.stdout.write(`committed ${batch.checkpoint}\n`));
  await projector.start();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
