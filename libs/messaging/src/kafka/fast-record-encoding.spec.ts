import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KafkajsInternalsChanged, recordEncoding, useFastRecordEncoding } from './fast-record-encoding';

const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * Runs `script` in a plain Node process (jest's module registry would ignore the swap), with the
 * TypeScript sources compiled on load; `install` and `produceRequest` are in its scope. Prints JSON.
 */
function inNode(script: string, env: Record<string, string> = {}): any {
  const prelude = `
    const { useFastRecordEncoding, fastEncodedRecords } = require(${JSON.stringify(join(__dirname, 'fast-record-encoding.ts'))});
    const produceRequest = () => require('kafkajs/src/protocol/requests/produce/v3/request')({
      acks: -1, timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [
        { key: 'k1', value: 'v1', headers: { ce_id: 'a' } },
        { key: 'k2', value: 'v2', headers: { ce_id: 'b' } },
      ] }] }],
    });
    const report = (value) => process.stdout.write(JSON.stringify(value));
  `;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.JEST_WORKER_ID;
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'test/relay/support/register-ts.js'), '-e', `${prelude}\n(async () => { ${script} })()`], {
    cwd: ROOT,
    env: childEnv,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('installing the fast kafkajs record encoder', () => {
  it('in a Node process: puts it in kafkajs\' place once, and kafkajs\' produce request then writes its records through it', () => {
    const result = inNode(`
      const first = useFastRecordEncoding();
      const second = useFastRecordEncoding();
      const before = fastEncodedRecords();
      await produceRequest().encode();
      report({ first, same: first === second, before, after: fastEncodedRecords() });
    `);
    expect(result.first).toEqual({ encoder: 'fast', reason: "replaces kafkajs 2.2.4's record encoder (same bytes)" });
    expect(result.same).toBe(true);
    expect(result.before).toBe(0);
    expect(result.after).toBe(2);
  });

  it('fails loudly when kafkajs already loaded its produce request with its own encoder', () => {
    const result = inNode(`
      produceRequest();
      try { useFastRecordEncoding(); report({ threw: false }); } catch (error) { report({ threw: true, name: error.name, message: error.message }); }
    `);
    expect(result).toMatchObject({ threw: true, name: 'KafkajsInternalsChanged' });
    expect(result.message).toContain('kafkajs loaded its produce request, with its own record encoder, before the relay was constructed');
    expect(result.message).toContain('AGREEMENTS_KAFKAJS_FAST_RECORDS=0');
  });

  it("keeps kafkajs' encoder with AGREEMENTS_KAFKAJS_FAST_RECORDS=0, and the count stays 0", () => {
    const result = inNode(`const choice = useFastRecordEncoding(); await produceRequest().encode(); report({ choice, after: fastEncodedRecords() });`, {
      AGREEMENTS_KAFKAJS_FAST_RECORDS: '0',
    });
    expect(result).toEqual({ choice: { encoder: 'kafkajs', reason: 'turned off by AGREEMENTS_KAFKAJS_FAST_RECORDS=0' }, after: 0 });
  });

  it("under jest: checks kafkajs' version and bytes, and keeps kafkajs' encoder (jest ignores Node's module cache)", () => {
    expect(useFastRecordEncoding()).toEqual({ encoder: 'kafkajs', reason: "under jest, whose module registry ignores Node's module cache" });
    expect(recordEncoding()).toBe(useFastRecordEncoding());
    expect(new KafkajsInternalsChanged('x').message).toMatch(/^the relay's fast kafkajs record encoder cannot be installed: x\. /);
  });
});
