import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';

/**
 * While the server runs it records in DATA_DIR which stores it runs on. The CLI writes straight
 * into the stores its own configuration names; before it does, it reads this record and refuses
 * when a live server there runs on other stores (an import would land where the server never
 * reads it).
 */
const CLAIM_FILE = 'running-server.json';

export interface StoreLocations {
  eventStore: string;
  readModels: string;
}

interface Claim {
  pid: number;
  role: string;
  startedAt: string;
  stores: StoreLocations;
}

/** Where the configuration puts the events and the read models, without passwords. */
export function storeLocations(config: AppConfig): StoreLocations {
  return {
    eventStore: config.eventStoreConnectionString
      ? `EventStoreDB ${withoutCredentials(config.eventStoreConnectionString)}`
      : `embedded SQLite ${join(config.dataDir, 'events.sqlite')}`,
    readModels: config.databaseUrl
      ? `PostgreSQL ${withoutCredentials(config.databaseUrl)}, schema ${config.databaseSchema}`
      : `SQLite in ${config.dataDir}`,
  };
}

function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/** Records this process as the server on DATA_DIR; the returned function removes the record (if still ours). */
export function claimDataDir(config: AppConfig, role: string): () => void {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, CLAIM_FILE);
  const claim: Claim = { pid: process.pid, role, startedAt: new Date().toISOString(), stores: storeLocations(config) };
  writeFileSync(file, JSON.stringify(claim, null, 2) + '\n');
  return () => {
    if (readClaim(config.dataDir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

function readClaim(dataDir: string): Claim | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, CLAIM_FILE), 'utf8')) as Claim;
  } catch {
    return undefined;
  }
}

/** The role and pid of a live server recorded on DATA_DIR (not this process), if any. */
export function liveServerOn(dataDir: string, ownPid = process.pid): { role: string; pid: number } | undefined {
  const claim = readClaim(dataDir);
  if (!claim || claim.pid === ownPid || !processIsAlive(claim.pid)) return undefined;
  return { role: claim.role, pid: claim.pid };
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why a tool configured as `config` must not write next to the server running on its DATA_DIR,
 * or undefined when it may (no record, a dead server's record, or the same stores).
 */
export function storeMismatch(
  config: AppConfig,
  { ownPid = process.pid, isAlive = processIsAlive }: { ownPid?: number; isAlive?: (pid: number) => boolean } = {},
): string | undefined {
  const claim = readClaim(config.dataDir);
  if (!claim || claim.pid === ownPid || !isAlive(claim.pid)) return undefined;
  const mine = storeLocations(config);
  const differences = (['eventStore', 'readModels'] as const)
    .filter((store) => claim.stores?.[store] !== mine[store])
    .map((store) => `${store === 'eventStore' ? 'events' : 'read models'}: the server uses ${claim.stores?.[store]}, this configuration ${mine[store]}`);
  if (differences.length === 0) return undefined;
  return (
    `the ${claim.role} server (pid ${claim.pid}) running on DATA_DIR ${config.dataDir} uses other stores ` +
    `(${differences.join('; ')}). Run with the server's configuration (DATA_DIR, DATABASE_URL, ` +
    `EVENTSTORE_CONNECTION_STRING), or stop the server first.`
  );
}
