import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Principal, type Role, ROLES } from '@agreements/application';
import { ConfigError } from '@agreements/platform';


/** What each role may do beyond reading: operators send commands, auditors read history. */
export const ROLE_GRANTS: Record<Role, ReadonlySet<Role>> = {
  reader: new Set(['reader']),
  operator: new Set(['reader', 'operator']),
  auditor: new Set(['reader', 'auditor']),
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export function parseApiKeys(text: string): Map<string, Principal> {
  const byToken = new Map<string, Principal>();
  for (const [i, entry] of text.split(',').entries()) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const [name, role, ...rest] = trimmed.split(':');
    const token = rest.join(':');
    if (!name || !role || !token) {
      throw new ConfigError(`API_KEYS entry ${i + 1} must be name:role:token`);
    }
    if (!NAME.test(name)) throw new ConfigError(`API_KEYS entry ${i + 1}: name "${name}" must be letters, digits, . _ @ -`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`API_KEYS entry ${i + 1}: role "${role}" must be one of ${ROLES.join(', ')}`);
    }
    if (token.length < 8) throw new ConfigError(`API_KEYS entry ${i + 1}: token for "${name}" is shorter than 8 characters`);
    if (byToken.has(token)) throw new ConfigError(`API_KEYS entry ${i + 1}: token for "${name}" is used twice`);
    byToken.set(token, { name, role: role as Role });
  }
  if (byToken.size === 0) throw new ConfigError('API_KEYS is set but holds no entry');
  return byToken;
}

export interface LoadedCredentials {
  byToken: Map<string, Principal>;
  /** Set when the tokens were generated or read from DATA_DIR/credentials.json. */
  file?: string;
  generated: boolean;
}

/**
 * The server never runs open: without API_KEYS it creates one token per role on first start and
 * keeps them in DATA_DIR/credentials.json, readable by its owner only.
 */
export function loadCredentials(apiKeys: string | undefined, dataDir: string): LoadedCredentials {
  if (apiKeys) return { byToken: parseApiKeys(apiKeys), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'credentials.json');
  let generated = false;
  if (!existsSync(file)) {
    const entries = ROLES.map((role) => ({ name: `local-${role}`, role, token: randomBytes(24).toString('base64url') }));
    writeFileSync(file, JSON.stringify({ tokens: entries }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    generated = true;
  }
  chmodSync(file, 0o600);
  let parsed: { tokens?: Array<{ name: string; role: string; token: string }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON (${(err as Error).message}); delete it to generate new tokens`);
  }
  const text = (parsed.tokens ?? []).map((t) => `${t.name}:${t.role}:${t.token}`).join(',');
  return { byToken: parseApiKeys(text), file, generated };
}
