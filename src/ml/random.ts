/**
 * A small seeded pseudo-random generator, so the same seed always grows the same forest.
 *
 * xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018),
 * its 128-bit state filled from the seed by splitmix32. Fast in JavaScript because every step
 * stays in 32-bit integer arithmetic (`Math.imul`, `>>>`).
 */
export class Random {
  // Int32Array keeps the state in 32-bit integers: plain number fields holding values ≥ 2^31
  // turn into doubles in the JIT and make every step several times slower.
  private readonly s = new Int32Array(4);

  /** `seed` is any safe integer; its low and high 32 bits both reach the state. */
  constructor(seed: number) {
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      // splitmix32 (Steele, Lea & Flood 2014, 32-bit variant) spreads one word over four.
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A double uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer uniform in [0, n) for 1 ≤ n ≤ 2^32 (bias at most n / 2^53). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
