import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyIdOf } from './tree-head';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-256 hex of the public key's SPKI DER bytes. */
  keyId: string;
  /** The public half as SPKI PEM: what /v1/ledger/key serves and `verify FILE --key` reads. */
  publicKeyPem: string;
}

/** Where the key is kept when none is configured. */
export const DEFAULT_KEY_FILE = 'ledger-key.pem';

/**
 * The head-signing key: the PKCS#8 PEM file at `keyFile` when one is configured (LEDGER_KEY_FILE;
 * it must exist), else DATA_DIR/ledger-key.pem, generated (Ed25519, mode 0600) on first start.
 */
export function loadSigningKey(options: { dataDir: string; keyFile?: string; create?: boolean }): SigningKey {
  const file = options.keyFile ?? join(options.dataDir, DEFAULT_KEY_FILE);
  if (!existsSync(file)) {
    if (options.keyFile) throw new Error(`LEDGER_KEY_FILE ${file} does not exist`);
    if (options.create === false) throw new Error(`no ledger key in ${file}: the server creates it on its first start`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // 'wx': two processes starting at once must not overwrite each other's key.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} holds a ${String(privateKey.asymmetricKeyType)} key; the ledger signs with Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
