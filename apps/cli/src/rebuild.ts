import { rebuildReadModels, RebuildProgress } from '@agreements/read-models';
import type { Runtime } from '../../api/src/infrastructure/runtime';

/**
 * `npm run cli -- rebuild`: every read model again from position 0, into fresh tables while the
 * old ones keep serving, then an atomic switch. Prints progress about once a second.
 */
export async function runRebuild(runtime: Runtime, say: (line: string) => void): Promise<number> {
  const head = await runtime.eventStore.headPosition();
  say(`rebuilding the read models from position 0 (store head: ${head ?? 'empty'})`);
  let lastPrinted = 0;
  const progress = (p: RebuildProgress) => {
    const now = Date.now();
    if (p.phase === 'loading' && now - lastPrinted < 1000) return;
    lastPrinted = now;
    const share = head && p.position && /^\d+$/.test(head) ? ` (${((100 * Number(p.position)) / Number(head)).toFixed(1)}%)` : '';
    say(`  ${p.phase}: ${p.events} events${share}, ${Math.round(p.eventsPerSecond)} events/s, ${(p.elapsedMs / 1000).toFixed(1)} s`);
  };
  const summary = await rebuildReadModels(runtime.eventStore, runtime.readModelStore, { onProgress: progress });
  say(
    `rebuilt: ${summary.events} events in ${summary.seconds.toFixed(2)} s (${Math.round(summary.eventsPerSecond)} events/s); ` +
      `generation ${summary.generation} now serves (replaced ${summary.previousGeneration}), checkpoint ${summary.checkpoint ?? 'none'}`,
  );
  if (summary.droppedLeftovers.length) say(`dropped tables left by interrupted rebuilds: generations ${summary.droppedLeftovers.join(', ')}`);
  return 0;
}
