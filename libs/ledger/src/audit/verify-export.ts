import { createReadStream } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { createInterface } from 'node:readline';
import { headSignatureValid, keyIdOf, type SignedTreeHead } from '../heads/tree-head';
import { hashLeaf, type Leaf } from '../leaf/leaf';
import { MerkleFrontier } from '../merkle/frontier';
import { toHex } from '../merkle/hashing';

export type ExportVerdict =
  | { ok: true; treeSize: number; head: SignedTreeHead }
  | { ok: false; line: number; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `verify FILE --key PEM`, offline: every leaf line's hash recomputed from its leaf, the root of
 * all of them against the head line's, and the head's signature against the given public key.
 * Names the first line that does not match (1-based).
 */
export async function verifyExportFile(
  file: string,
  publicKeyPem: string,
  onProgress?: (lines: number) => void,
): Promise<ExportVerdict> {
  const key = createPublicKey(publicKeyPem);
  const keyId = keyIdOf(key);
  const frontier = new MerkleFrontier();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  let head: { line: number; head: SignedTreeHead } | undefined;
  const fail = (line: number, reason: string): ExportVerdict => {
    lines.close();
    return { ok: false, line, reason };
  };
  for await (const text of lines) {
    number += 1;
    if (number % 100_000 === 0) onProgress?.(number);
    if (text.trim() === '') continue;
    if (head) return fail(number, `a line after the head line (${head.line}): the head must be last`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail(number, 'not JSON');
    }
    if (!isObject(value)) return fail(number, 'not a JSON object');
    if ('head' in value) {
      if (!isObject(value.head)) return fail(number, 'head is not an object');
      head = { line: number, head: value.head as unknown as SignedTreeHead };
      continue;
    }
    if (value.index !== frontier.size) return fail(number, `index ${JSON.stringify(value.index)}, expected ${frontier.size}`);
    if (!isObject(value.leaf)) return fail(number, 'leaf is not an object');
    let hash: Buffer;
    try {
      hash = hashLeaf(value.leaf as unknown as Leaf);
    } catch (err) {
      return fail(number, `leaf cannot be canonicalised: ${(err as Error).message}`);
    }
    if (toHex(hash) !== value.leafHash) {
      return fail(number, `leaf ${frontier.size} (event ${String(value.leaf.eventId)}) hashes to ${toHex(hash)}, the line says ${String(value.leafHash)}`);
    }
    frontier.append(hash);
  }
  if (!head) return { ok: false, line: number + 1, reason: 'the file ends without a head line' };
  const h = head.head;
  if (h.treeSize !== frontier.size) return { ok: false, line: head.line, reason: `the head is for ${String(h.treeSize)} leaves, the file has ${frontier.size}` };
  if (h.keyId !== keyId) return { ok: false, line: head.line, reason: `the head was signed by key ${String(h.keyId)}, not by the given key ${keyId}` };
  if (!headSignatureValid(h, key)) return { ok: false, line: head.line, reason: 'the head signature is not valid for its treeSize, rootHash and timestamp' };
  const root = toHex(frontier.root());
  if (root !== h.rootHash) {
    return { ok: false, line: head.line, reason: `the root of the file's ${frontier.size} leaves is ${root}, the signed head says ${String(h.rootHash)}` };
  }
  return { ok: true, treeSize: frontier.size, head: h };
}
