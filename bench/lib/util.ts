// Small helpers shared by the bench sections: scoped cleanup, progress lines, timing, statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join, resolve } from 'node:path';

/** The repository root (this file runs from dist/bench/lib). */
export const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * What a section created (temp dirs, child processes, schemas, open stores), undone in reverse
 * order by close(), whether the section succeeded or not, and on Ctrl-C.
 */
export class Scope {
  private static readonly open = new Set<Scope>();
  private readonly undo: Array<{ what: string; run: () => Promise<void> | void }> = [];

  constructor(readonly name: string) {
    Scope.open.add(this);
  }

  /** A fresh directory under os.tmpdir(), removed when the scope closes. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `agreements-bench-${prefix}-`));
    this.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  defer(what: string, run: () => Promise<void> | void): void {
    this.undo.push({ what, run });
  }

  async close(): Promise<void> {
    Scope.open.delete(this);
    while (this.undo.length > 0) {
      const step = this.undo.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`    cleanup of ${this.name} (${step.what}) failed: ${errorMessage(error)}`);
      }
    }
  }

  /** Closes every scope still open (Ctrl-C, fatal error). */
  static async closeAll(): Promise<void> {
    for (const scope of [...Scope.open].reverse()) await scope.close();
  }
}

let sectionStarted = Date.now();

export function markSectionStart(): void {
  sectionStarted = Date.now();
}

/** A progress line, with the seconds since the section started. */
export function progress(message: string): void {
  const seconds = ((Date.now() - sectionStarted) / 1000).toFixed(1).padStart(6);
  console.log(`    ${seconds}s  ${message}`);
}

/** Thrown when a section cannot run here (a missing lib or service); the runner reports "not run: <reason>". */
export class SectionNotRun extends Error {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds, monotonic (within one thread). */
export function now(): number {
  return performance.now();
}

/**
 * Milliseconds since the epoch with sub-millisecond resolution; comparable across the worker
 * threads of this process (each thread's performance.now() has its own origin).
 */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A short random tag for names that must not collide with other runs (schemas, topics, ids). */
export function runTag(): string {
  return Math.random().toString(36).slice(2, 8);
}

/**
 * For every item (a position and the time it was accepted), the delay until the first mark (a
 * position reached at a time: a checkpoint committed, a batch acknowledged) at or past its
 * position. Marks come in position order. Items no mark covers are counted as uncovered.
 */
export function delaysUntilCovered(
  items: ReadonlyArray<{ position: string; at: number }>,
  marks: ReadonlyArray<{ position: string; at: number }>,
  compare: (a: string, b: string) => number,
): { delays: number[]; uncovered: number } {
  const delays: number[] = [];
  let uncovered = 0;
  for (const item of items) {
    let low = 0;
    let high = marks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(marks[mid].position, item.position) >= 0) high = mid;
      else low = mid + 1;
    }
    if (low === marks.length) uncovered += 1;
    else delays.push(Math.max(0, marks[low].at - item.at));
  }
  return { delays, uncovered };
}

let clockTicks: number | undefined;

/**
 * CPU seconds (user + system) a process used so far, from /proc (Linux); undefined elsewhere.
 * Divided by wall seconds it tells how many cores the process kept busy: about 1 means a
 * single-threaded process was saturated.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the command name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Cores kept busy between two processCpuSeconds readings `seconds` apart, as text. */
export function coresText(before: number | undefined, after: number | undefined, seconds: number): string {
  if (before === undefined || after === undefined || seconds <= 0) return 'unknown';
  return `${((after - before) / seconds).toFixed(2)} cores`;
}

/**
 * Watches how late this thread's event loop runs timers (perf_hooks.monitorEventLoopDelay) until
 * the returned function is called; that returns the delays as text. A long synchronous step (an
 * fsync'd SQLite commit, a large JSON.parse) shows up here, and everything queued behind it waits.
 */
export function watchEventLoop(): () => string {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return () => {
    histogram.disable();
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    return `event-loop delay p50 ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms`;
  };
}
