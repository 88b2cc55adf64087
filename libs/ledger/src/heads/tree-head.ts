import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

/** What is signed: the JCS bytes of these three members. */
export interface TreeHead {
  treeSize: number;
  rootHash: string;
  /** RFC 3339 UTC. */
  timestamp: string;
}

export interface SignedTreeHead extends TreeHead {
  keyId: string;
  /** Ed25519 over the JCS bytes of { treeSize, rootHash, timestamp }, base64. */
  signature: string;
}

export function signedBytes(head: TreeHead): Buffer {
  return Buffer.from(canonicalize({ treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp }) as string, 'utf8');
}

/** The SHA-256 hex of the public key's SPKI DER bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signHead(head: TreeHead, privateKey: KeyObject, keyId: string): SignedTreeHead {
  const signature = sign(null, signedBytes(head), privateKey).toString('base64');
  return { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId, signature };
}

/** Whether the head's signature is the key's over its three signed members. */
export function headSignatureValid(head: SignedTreeHead, publicKey: KeyObject | string): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  try {
    return verify(null, signedBytes(head), key, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
