// Figures, targets, the console lines and the markdown results of a run.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { formatNumber, ROOT } from './util';

export type SectionName = 'store' | 'http' | 'rebuild' | 'lag' | 'esdb' | 'relay' | 'ledger' | 'console' | 'health' | 'soak';

export const SECTION_TITLES: Record<SectionName | 'baseline', string> = {
  baseline: 'Baseline: raw SQLite insert ceiling',
  store: '1. store: embedded event store appends',
  http: '2. http: commands through the real server',
  rebuild: '3. rebuild: read models from the event log',
  lag: '4. lag: projection lag under a steady command rate',
  esdb: '5. esdb: EventStoreDB adapter beside the embedded store',
  relay: '6. relay: Kafka relay',
  ledger: '7. ledger: keeping the tree, proofs, verify',
  console: '8. console: the web console in headless Chromium',
  health: '9. health: probes while /v1 is busy',
  soak: '10. soak: a long steady load (only with --only soak)',
};

/** A target from the product's issues; `met` sees the figure's value and the run's baseline. */
export interface Target {
  text: string;
  met(value: number, baseline: number): boolean;
}

export const atLeast = (value: number, unit: string): Target => ({
  text: `≥ ${formatNumber(value)} ${unit}`,
  met: (v) => v >= value,
});

export const below = (value: number, unit: string): Target => ({
  text: `< ${formatNumber(value)} ${unit}`,
  met: (v) => v < value,
});

/** A share of a ceiling measured in the same run (the figure is already the ratio). */
export const atLeastRatio = (ratio: number, of: string): Target => ({
  text: `≥ ${ratio} × ${of}`,
  met: (v) => v >= ratio,
});

export const atMostRatio = (ratio: number): Target => ({
  text: `≤ ${ratio}×`,
  met: (v) => v <= ratio,
});

export const exactlyZero: Target = { text: '= 0', met: (v) => v === 0 };

export const atLeastTimesBaseline = (factor: number): Target => ({
  text: `≥ ${factor} × raw ceiling`,
  met: (v, baseline) => v >= factor * baseline,
});

export interface Figure {
  section: SectionName | 'baseline';
  label: string;
  value: number;
  unit: string;
  /** Throughputs get a ratio to the baseline; latencies and counts do not. */
  rate: boolean;
  target?: Target;
  /** How it was measured, in a few words (sizes, batching observed). */
  detail?: string;
}

export type SectionOutcome =
  | { status: 'ran'; seconds: number }
  | { status: 'not run'; reason: string }
  | { status: 'failed'; reason: string; seconds: number };

export interface RunInfo {
  quick: boolean;
  only: SectionName[] | undefined;
  note: string | undefined;
  startedAt: Date;
  machine: MachineInfo;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAtStart: string;
  commit: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export class Report {
  readonly figures: Figure[] = [];
  readonly outcomes = new Map<SectionName | 'baseline', SectionOutcome>();
  /** appends/s of the raw ceiling, once measured. */
  baseline: number | undefined;

  add(figure: Figure): void {
    this.figures.push(figure);
    console.log(`  ${this.consoleLine(figure)}`);
  }

  ratio(figure: Figure): string {
    if (!figure.rate || !this.baseline) return '';
    return `${(figure.value / this.baseline).toFixed(2)}×`;
  }

  verdict(figure: Figure): 'PASS' | 'SHORT' | '' {
    if (!figure.target) return '';
    return figure.target.met(figure.value, this.baseline ?? Number.NaN) ? 'PASS' : 'SHORT';
  }

  private consoleLine(figure: Figure): string {
    const value = `${formatValue(figure)} ${figure.unit}`;
    const ratio = this.ratio(figure);
    const parts = [figure.label.padEnd(52), value.padStart(22), (ratio ? `${ratio} raw` : '').padStart(10)];
    if (figure.target) parts.push(`  target ${figure.target.text}: ${this.verdict(figure)}`);
    return parts.join(' ');
  }

  /** The whole results section, in markdown. */
  markdown(info: RunInfo, order: Array<SectionName | 'baseline'>): string {
    const m = info.machine;
    const lines: string[] = [];
    lines.push('## Results');
    lines.push('');
    lines.push(
      `Run ${info.startedAt.toISOString()}${info.quick ? ' with `--quick` (smoke sizes: not comparable with a full run)' : ''}${info.only ? `, sections: ${info.only.join(', ')}` : ''}.`,
    );
    lines.push('');
    lines.push('| machine | |');
    lines.push('|---|---|');
    lines.push(`| CPU | ${m.cpu} |`);
    lines.push(`| cores | ${m.cores} |`);
    lines.push(`| memory | ${m.memoryGiB} GiB |`);
    lines.push(`| node | ${m.node} (${m.platform}) |`);
    lines.push(`| load average at start (1 / 5 / 15 min) | ${m.loadAtStart} |`);
    lines.push(`| commit | ${m.commit} |`);
    lines.push('');
    if (info.note) {
      lines.push(`> **Note on this run:** ${info.note}`);
      lines.push('');
    }
    if (this.baseline) {
      lines.push(
        `Baseline (raw ceiling) of this run: **${formatNumber(this.baseline)} appends/s**; the "× raw" column divides by it.`,
      );
      lines.push('');
    }
    for (const section of order) {
      const outcome = this.outcomes.get(section);
      const figures = this.figures.filter((f) => f.section === section);
      if (!outcome && figures.length === 0) continue;
      lines.push(`### ${SECTION_TITLES[section]}`);
      lines.push('');
      if (outcome?.status === 'not run') {
        lines.push(`Not run: ${outcome.reason}.`);
        lines.push('');
        continue;
      }
      if (outcome?.status === 'failed') {
        lines.push(`**Failed** after ${outcome.seconds.toFixed(0)} s: ${escapeCell(outcome.reason)}`);
        lines.push('');
      }
      if (figures.length > 0) {
        lines.push('| figure | value | × raw | target | result | how |');
        lines.push('|---|---:|---:|---|---|---|');
        for (const f of figures) {
          lines.push(
            `| ${escapeCell(f.label)} | ${formatValue(f)} ${f.unit} | ${this.ratio(f)} | ${f.target ? escapeCell(f.target.text) : ''} | ${this.verdict(f) ? `**${this.verdict(f)}**` : ''} | ${escapeCell(f.detail ?? '')} |`,
          );
        }
        lines.push('');
      }
      if (outcome?.status === 'ran') {
        lines.push(`Section time: ${outcome.seconds.toFixed(0)} s.`);
        lines.push('');
      }
    }
    return lines.join('\n');
  }
}

function formatValue(figure: Figure): string {
  if (figure.unit === 'ms') return formatNumber(figure.value, figure.value < 10 ? 1 : 0);
  if (figure.unit.startsWith('×')) return formatNumber(figure.value, 2);
  return formatNumber(figure.value);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
