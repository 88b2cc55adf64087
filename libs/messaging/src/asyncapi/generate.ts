import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from './document';

export const ASYNCAPI_FILE = join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml');

const HEADER = [
  '# Generated from the domain\'s event schemas by libs/messaging/src/asyncapi/document.ts: do not edit.',
  '# Regenerate: UPDATE_ASYNCAPI=1 npx jest libs/messaging/src/asyncapi (a test fails while it differs).',
  '',
].join('\n');

export function renderAsyncApiYaml(): string {
  return HEADER + stringify(buildAsyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Writes docs/asyncapi.yaml when it differs; returns whether it changed. */
export function writeAsyncApiYaml(file = ASYNCAPI_FILE): boolean {
  const rendered = renderAsyncApiYaml();
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === rendered) return false;
  writeFileSync(file, rendered);
  return true;
}

if (require.main === module) {
  const changed = writeAsyncApiYaml();
  console.log(changed ? `wrote ${ASYNCAPI_FILE}` : `${ASYNCAPI_FILE} is up to date`);
}
