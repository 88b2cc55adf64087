import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { createRuntime, loadConfig, relayPlacement, type Runtime } from '@agreements/platform';
import { createHttpApp } from '../../apps/api/src/http/http-app';
import { dropSchema, TEST_DATABASE_URL } from '../../libs/read-models/src/testing/backends';

export { dropSchema, TEST_DATABASE_URL };

export const TOKENS = {
  operator: `op-${randomUUID()}`,
  auditor: `au-${randomUUID()}`,
  reader: `rd-${randomUUID()}`,
};
export const API_KEYS = `desk-1:operator:${TOKENS.operator},audit:auditor:${TOKENS.auditor},dash:reader:${TOKENS.reader}`;

export interface TestApp {
  base: string;
  runtime: Runtime;
  app: NestFastifyApplication;
  dataDir: string;
  api: ApiClient;
  close(): Promise<void>;
}

/** The real API on a free port over a fresh DATA_DIR (SQLite), as `npm start` builds it. */
export async function startTestApp(env: Record<string, string> = {}, options: { logger?: pino.Logger } = {}): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'agreements-test-'));
  const config = loadConfig({ API_KEYS, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env, DATA_DIR: dataDir });
  const runtime = await createRuntime(config, {
    role: 'api',
    projector: config.runProjector,
    // As npm start runs it: on a thread of its own unless RELAY_THREAD=false.
    relay: relayPlacement(config),
    ledger: true,
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const app = await createHttpApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    runtime,
    app,
    dataDir,
    api: apiClient(base),
    async close() {
      await app.close();
      await runtime.close();
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
  raw?: string;
}

export interface ApiClient {
  get<T = any>(path: string, opts?: CallOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, opts?: CallOptions): Promise<ApiResponse<T>>;
}

export function apiClient(base: string): ApiClient {
  async function call(method: string, path: string, body: unknown, opts: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? TOKENS.operator : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (opts.raw !== undefined) payload = opts.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, { method, headers, body: payload });
    const text = await r.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, json, text };
  }
  return {
    get: (path, opts) => call('GET', path, undefined, { token: TOKENS.reader, ...opts }),
    post: (path, body, opts) => call('POST', path, body, opts),
  };
}

export interface ScenarioFile {
  name: string;
  steps: Array<{ path: string; body: Record<string, any>; note?: string }>;
}

export const astana: ScenarioFile = require('../../examples/astana-2017.json');

export const MEMORANDUM = 'astana-deescalation-memorandum';

/** The two read-model backends every read-model test runs against: embedded SQLite and PostgreSQL. */
export function readModelBackends(): Array<[string, () => Record<string, string>]> {
  return [
    ['SQLite', () => ({})],
    ['PostgreSQL', () => ({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: `rm_e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}` })],
  ];
}
