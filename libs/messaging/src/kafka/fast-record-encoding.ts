import Module from 'node:module';
import { type EncodedRecord, encodeRecord, type RecordInput } from './kafkajs-record-encoder';

/**
 * The one place that puts encodeRecord (kafkajs-record-encoder.ts) in place of kafkajs' own record
 * encoder. The relay calls useFastRecordEncoding() when it is constructed; it is idempotent.
 *
 * kafkajs loads its record encoder lazily, with its produce request module, which keeps the
 * reference it got then: the replacement must be in Node's module cache before that.
 *
 * It throws (the relay does not start) when the kafkajs internals it replaces are not the ones it
 * was written for: another kafkajs version, no record encoder at the expected path, one that
 * writes other bytes than ours, or a produce request already loaded with kafkajs' own encoder.
 * It keeps kafkajs' encoder, and says why, under jest (whose module registry ignores Node's
 * cache) and with AGREEMENTS_KAFKAJS_FAST_RECORDS=0.
 *
 * The installed encoder counts the records it writes itself: /metrics shows that count, so a
 * process whose records really go through it can be told from one that only installed it.
 */

const KAFKAJS_VERSION = '2.2.4';
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0';
/** The only kafkajs module that requires the record encoder (the later produce versions reuse it). */
const PRODUCE_REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request';
const FAST = Symbol.for('agreements.kafkajs-fast-record-encoder');

export interface RecordEncoding {
  encoder: 'fast' | 'kafkajs';
  /** Why this encoder is in use. */
  reason: string;
}

/** The kafkajs internals the fast encoder replaces are not the expected ones. */
export class KafkajsInternalsChanged extends Error {
  constructor(problem: string) {
    super(
      `the relay's fast kafkajs record encoder cannot be installed: ${problem}. Check that encodeRecord still writes ` +
        `kafkajs' bytes (libs/messaging/src/kafka/kafkajs-record-encoder.spec.ts) and update fast-record-encoding.ts, ` +
        `or set AGREEMENTS_KAFKAJS_FAST_RECORDS=0 to use kafkajs' own encoder`,
    );
    this.name = 'KafkajsInternalsChanged';
  }
}

interface InstalledEncoder {
  (input: RecordInput): EncodedRecord;
  recordsEncoded: number;
  [FAST]: true;
}

let chosen: RecordEncoding | undefined;
let installed: InstalledEncoder | undefined;

/** Installs the fast encoder once per process when that is safe; throws KafkajsInternalsChanged when kafkajs changed. */
export function useFastRecordEncoding(): RecordEncoding {
  chosen ??= chooseRecordEncoding();
  return chosen;
}

/** The encoder chosen so far (undefined before the first relay was constructed). */
export function recordEncoding(): RecordEncoding | undefined {
  return chosen;
}

/** Records the fast encoder wrote since the process started, counted by the encoder as kafkajs calls it. */
export function fastEncodedRecords(): number {
  return installed?.recordsEncoded ?? 0;
}

function chooseRecordEncoding(): RecordEncoding {
  if (process.env.AGREEMENTS_KAFKAJS_FAST_RECORDS === '0') return { encoder: 'kafkajs', reason: 'turned off by AGREEMENTS_KAFKAJS_FAST_RECORDS=0' };
  checkKafkajsInternals();
  if (process.env.JEST_WORKER_ID !== undefined) return { encoder: 'kafkajs', reason: "under jest, whose module registry ignores Node's module cache" };
  const cache = require.cache as NodeJS.Dict<NodeModule> | undefined;
  if (!cache) return { encoder: 'kafkajs', reason: "not loaded by Node's CommonJS loader" };
  const file = require.resolve(RECORD_MODULE);
  const current = cache[file]?.exports as Partial<InstalledEncoder> | undefined;
  if (current?.[FAST]) {
    // Another copy of this module installed it already (same process, other path).
    installed = current as InstalledEncoder;
    return { encoder: 'fast', reason: 'installed by another copy of this module' };
  }
  if (cache[require.resolve(PRODUCE_REQUEST_MODULE)]) {
    throw new KafkajsInternalsChanged('kafkajs loaded its produce request, with its own record encoder, before the relay was constructed');
  }
  const encoder = Object.assign((input: RecordInput) => {
    encoder.recordsEncoded += 1;
    return encodeRecord(input);
  }, { recordsEncoded: 0, [FAST]: true as const });
  const replacement = new Module(file, module);
  replacement.filename = file;
  replacement.loaded = true;
  replacement.exports = encoder;
  cache[file] = replacement;
  installed = encoder;
  return { encoder: 'fast', reason: `replaces kafkajs ${KAFKAJS_VERSION}'s record encoder (same bytes)` };
}

/** The version, the module path, and the bytes of one CloudEvents-like record, against kafkajs' own encoder. */
function checkKafkajsInternals(): void {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== KAFKAJS_VERSION) throw new KafkajsInternalsChanged(`it was written for kafkajs ${KAFKAJS_VERSION}, kafkajs ${version} is installed`);
  let original: unknown;
  try {
    original = require(RECORD_MODULE);
  } catch (error) {
    throw new KafkajsInternalsChanged(`kafkajs has no ${RECORD_MODULE} (${error instanceof Error ? error.message : String(error)})`);
  }
  if ((original as Partial<InstalledEncoder>)[FAST]) return;
  if (typeof original !== 'function') throw new KafkajsInternalsChanged(`${RECORD_MODULE} does not export a function`);
  const sample: RecordInput = {
    offsetDelta: 3,
    timestampDelta: 1234,
    key: 'agreement-astana',
    value: '{"title":"Astana é 中"}',
    headers: { ce_id: 'x-1', ce_type: 'AgreementDrafted', 'content-type': 'application/json' },
  };
  const theirs = (original as (input: RecordInput) => { buffer?: unknown }).call(undefined, sample).buffer;
  if (!Buffer.isBuffer(theirs) || !theirs.equals(encodeRecord(sample).buffer)) {
    throw new KafkajsInternalsChanged(`${RECORD_MODULE} writes other bytes than encodeRecord for the same record`);
  }
}
