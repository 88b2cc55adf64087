// Test support (excluded from the build): deterministic pseudo-random numbers.

/** mulberry32: small, fast, good enough to shuffle test data reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** A deterministic UUID-shaped id. */
export function uuidOf(n: number, salt = 0): string {
  const hex = (n * 7919 + salt * 104729).toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8${String(salt % 1000).padStart(3, '0')}-${hex}`;
}
