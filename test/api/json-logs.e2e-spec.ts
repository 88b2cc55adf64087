import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiClient } from '../support/app';
import { startServerProcess, type ServerProcess } from '../support/process';

/** Every line a built server process prints, on stdout and stderr, is one JSON object. */
function expectJsonLines(output: string): Array<{ level: number; msg: string; [k: string]: unknown }> {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`a line that is not JSON:\n${line}\n--- whole output ---\n${output}`);
    }
  });
}

const exitOf = (server: ServerProcess) =>
  new Promise<number | null>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) resolve(server.child.exitCode);
    else server.child.once('exit', (code) => resolve(code));
  });

describe('the built processes log JSON lines only', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'agreements-json-logs-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the API from start to a clean stop (SIGTERM): JSON only, nothing at error level', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect((await apiClient(server.base).get('/v1/agreements')).status).toBe(200);
    await server.kill('SIGTERM');
    expect(server.child.exitCode).toBe(0);
    const entries = expectJsonLines(server.output());
    expect(entries.map((e) => e.msg)).toContain('agreements API listening');
    expect(entries.filter((e) => e.level >= 50)).toEqual([]);
  });

  it('the projector alone from start to a clean stop: JSON only, nothing at error level', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, { app: 'projector' });
    await server.kill('SIGINT');
    expect(server.child.exitCode).toBe(0);
    expect(expectJsonLines(server.output()).filter((e) => e.level >= 50)).toEqual([]);
  });

  it('an API on a busy port says so in JSON and exits 1', async () => {
    const first = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      const port = new URL(first.base).port;
      const second = await startServerProcess({ DATA_DIR: mkdtempSync(join(tmpdir(), 'agreements-busy-')), LOG_LEVEL: 'info', PORT: port }, { waitForReady: false });
      expect(await exitOf(second)).toBe(1);
      const entries = expectJsonLines(second.output());
      expect(entries.find((e) => e.level === 60)?.msg).toContain('EADDRINUSE');
    } finally {
      await first.kill('SIGTERM');
    }
  });

  it('a configuration error is one JSON line naming the setting, and exit code 1', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_SCHEMA: 'Not-A-Schema' }, { waitForReady: false });
    expect(await exitOf(server)).toBe(1);
    const entries = expectJsonLines(server.output());
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 60, code: 'CONFIGURATION_ERROR' });
    expect(entries[0].msg).toContain('DATABASE_SCHEMA must be a lower-case SQL identifier');
  });
});
