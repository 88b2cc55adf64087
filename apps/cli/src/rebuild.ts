import { rebuildReadModels, RebuildProgress } from '@agreements/read-models';
import { LedgerKeeper, SqliteLedgerStore } from '@agreements/ledger';
import { ledgerFile, liveServerOn, type Runtime } from '@agreements/platform';

/**
 * `npm run cli -- rebuild`: every read model again from position 0, into fresh tables while the
 * old ones keep serving, then an atomic switch. Prints progress about once a second.
 */
export async function runRebuild(runtime: Runtime, say: (line: string) => void): Promise<number> {
  const head = await runtime.eventStore.headPosition();
  say(`rebuilding the read models from position 0 (store head: ${head ?? 'empty'})`);
  let lastPrinted = 0;
  let lastPhase = '';
  const progress = (p: RebuildProgress) => {
    const now = Date.now();
    // Each phase as it starts, then about once a second (copying and materializing run side by side).
    if (p.phase === lastPhase && now - lastPrinted < 1000) return;
    lastPrinted = now;
    lastPhase = p.phase;
    const share = p.eventsTotal ? ` of ${p.eventsTotal} (${((100 * p.events) / p.eventsTotal).toFixed(1)}%)` : '';
    const what =
      p.phase === 'loading'
        ? `copying: ${p.events} events${share}`
        : p.phase === 'materializing'
          ? `materializing: ${p.streams} streams, ${p.events} events folded${share}`
          : `${p.phase}${p.position ? ` (position ${p.position})` : ''}`;
    say(`  ${what}, ${(p.elapsedMs / 1000).toFixed(1)} s`);
  };
  const summary = await rebuildReadModels(runtime.eventStore, runtime.readModelStore, { onProgress: progress });
  say(
    `rebuilt: ${summary.events} events in ${summary.seconds.toFixed(2)} s (${Math.round(summary.eventsPerSecond)} events/s); ` +
      `generation ${summary.generation} now serves (replaced ${summary.previousGeneration}), checkpoint ${summary.checkpoint ?? 'none'}` +
      (summary.copy === 'sqlite-attach' ? '; events copied by SQLite from the log' : ''),
  );
  if (summary.droppedLeftovers.length) say(`dropped tables left by interrupted rebuilds: generations ${summary.droppedLeftovers.join(', ')}`);
  await rebuildLedgerTree(runtime, say);
  return 0;
}

/**
 * The ledger's tree again from the log. The signed heads stay as they were: they are what was
 * promised, and `verify` then shows whether the log still matches them. A running server keeps
 * the tree itself, so it is left alone then.
 */
async function rebuildLedgerTree(runtime: Runtime, say: (line: string) => void): Promise<void> {
  const server = liveServerOn(runtime.config.dataDir);
  if (server) {
    say(`ledger: not rebuilt: the ${server.role} server (pid ${server.pid}) keeps it; stop it first to rebuild the tree`);
    return;
  }
  const started = Date.now();
  const store = SqliteLedgerStore.open(ledgerFile(runtime.config));
  try {
    store.clearTree();
    const leaves = await new LedgerKeeper(runtime.eventStore, store, { batchSize: 5000 }).catchUp();
    const seconds = (Date.now() - started) / 1000;
    say(`ledger: tree rebuilt from the log: ${leaves} leaves in ${seconds.toFixed(2)} s, root ${store.root().toString('hex')}; signed heads kept`);
  } finally {
    store.close();
  }
}
