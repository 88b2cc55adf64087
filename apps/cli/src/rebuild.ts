import { rebuildReadModels, RebuildProgress } from '@agreements/read-models';
import type { Runtime } from '@agreements/platform';

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
  return 0;
}
