import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { claimDataDir, storeLocations, storeMismatch } from './data-dir-claim';

describe("the server's record of the stores it runs on, in DATA_DIR", () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'agreements-claim-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const aTool = { ownPid: process.pid + 1_000_000, isAlive: () => true };
  const embedded = () => loadConfig({ DATA_DIR: dataDir });
  const withPostgres = () => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://app:secret@db:5432/agreements' });

  it('lets a tool with the same stores write, and refuses one with other stores while the server lives', () => {
    const release = claimDataDir(embedded(), 'api');
    try {
      // The record names this process: seen from a tool with another pid, it is a live server.
      expect(storeMismatch(embedded(), aTool)).toBeUndefined();
      expect(storeMismatch(withPostgres(), aTool)).toContain('uses other stores');
    } finally {
      release();
    }
  });

  it('names both configurations, without the password, when they differ', () => {
    const release = claimDataDir(embedded(), 'api');
    try {
      const reason = storeMismatch(withPostgres(), aTool);
      expect(reason).toContain('read models: the server uses SQLite in');
      expect(reason).toContain('this configuration PostgreSQL postgres://db:5432/agreements, schema read_models');
      expect(reason).not.toContain('secret');
    } finally {
      release();
    }
  });

  it('ignores the record of a server that is no longer running', () => {
    const release = claimDataDir(embedded(), 'api');
    try {
      expect(storeMismatch(withPostgres(), { ...aTool, isAlive: () => false })).toBeUndefined();
    } finally {
      release();
    }
  });

  it('describes the embedded and the external stores by where they are', () => {
    expect(storeLocations(embedded()).eventStore).toBe(`embedded SQLite ${join(dataDir, 'events.sqlite')}`);
    expect(storeLocations(loadConfig({ DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: 'esdb://admin:changeit@es:2113?tls=false' })).eventStore).toBe(
      'EventStoreDB esdb://es:2113?tls=false',
    );
  });
});
