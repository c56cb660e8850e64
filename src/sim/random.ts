/**
 * Seeded, stateless randomness for the simulator. Every value is a pure function of
 * integers (seed, device, day, timestamp), so any simulated day can be regenerated alone
 * and comes out identical.
 */

/** Mixes any number of integers into one unsigned 32-bit hash (murmur3 finaliser per part). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split so values beyond 2^32 (epoch milliseconds) keep their high bits.
    const lo = part % 4294967296 >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = mix(h ^ lo);
    h = mix(h ^ hi ^ 0x85ebca6b);
  }
  return h >>> 0;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A small fast PRNG (mulberry32): returns uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic noise in (-1, 1), triangular (sum of two uniforms), keyed by integers. */
export function noise(...parts: number[]): number {
  const h = hash32(...parts);
  return ((h & 0xffff) + (h >>> 16)) / 65536 - 1;
}

/** A Poisson draw with mean `lambda` (Knuth; fine for the small means used here). */
export function poisson(rng: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Uniform in [lo, hi). */
export function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** A version-1-looking UUID (like ThingsBoard's ids), deterministic from the PRNG. */
export function uuidFrom(rng: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-11ee-${(8 + Math.floor(rng() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}
