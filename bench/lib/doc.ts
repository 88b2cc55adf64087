// docs/benchmarks.md: the intro is kept as written; the results between the markers are replaced.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './util';

export const DOC_FILE = join(ROOT, 'docs', 'benchmarks.md');
const START = '<!-- bench:results:start (written by npm run bench; edits between these markers are overwritten) -->';
const END = '<!-- bench:results:end -->';

const FALLBACK_INTRO = `# Benchmarks

\`npm run bench\` measures the product and writes its results below. See bench/run.ts for options.
`;

/** Replaces the results block of docs/benchmarks.md (appends one when the file has none). */
export function writeResults(markdown: string): void {
  const current = existsSync(DOC_FILE) ? readFileSync(DOC_FILE, 'utf8') : FALLBACK_INTRO;
  const block = `${START}\n\n${markdown.trim()}\n\n${END}`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC_FILE, next.endsWith('\n') ? next : `${next}\n`);
}
