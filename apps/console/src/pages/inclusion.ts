// Checks, in the browser, that an event is in the signed tree: RFC 9162 section 2.1.3.2, the
// verification of an inclusion proof, with the browser's own SHA-256 (WebCrypto). Nothing here
// trusts the server's word that the event is included: only the audit path and the head's root.

async function sha256(parts: Uint8Array[]): Promise<Uint8Array> {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const NODE = new Uint8Array([1]);

/** The root the audit path leads to from the leaf hash, or undefined when the path is malformed. */
export async function rootFromInclusionProof(leafIndex: number, treeSize: number, leafHash: string, auditPath: string[]): Promise<string | undefined> {
  if (leafIndex >= treeSize) return undefined;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = fromHex(leafHash);
  for (const p of auditPath) {
    if (sn === 0) return undefined;
    const sibling = fromHex(p);
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256([NODE, sibling, r]);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = await sha256([NODE, r, sibling]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? toHex(r) : undefined;
}
