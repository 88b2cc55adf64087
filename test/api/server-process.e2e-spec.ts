import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMORANDUM, apiClient, astana } from '../support/app';
import { startServerProcess } from '../support/process';

describe('the built server as npm start runs it (projector on its own thread)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agreements-server-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('projects what it accepts, reports the projector in readiness, and stops cleanly on SIGTERM', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const api = apiClient(server.base);
      let position = '0';
      for (const step of astana.steps) {
        const r = await api.post(step.path, { ...step.body, commandId: randomUUID() });
        expect(r.status).toBe(201);
        position = r.json.position;
      }
      const m = await api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': position } });
      expect(m.json).toMatchObject({ status: 'in-force', contested: true });
      const ready = await api.get('/health/ready', { token: null });
      expect(ready.status).toBe(200);
      expect(ready.json.components.projector).toMatchObject({ status: 'up', eventsApplied: astana.steps.length });
      expect(ready.json.components.readModels).toMatchObject({ status: 'up', lagEvents: 0, checkpoint: position });
    } finally {
      await server.kill('SIGTERM');
    }
    expect({ code: server.child.exitCode, output: server.output() }).toEqual({ code: 0, output: expect.any(String) });
  });
});
