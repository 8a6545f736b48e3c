/**
 * Small seeded random numbers for the data pipeline (shuffling, augmentation). Math.random cannot be seeded, and the
 * course promises that the same seed gives the same batches and the same augmented pictures.
 */

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

const UINT32 = 0x1_0000_0000;

/** Mulberry32: a tiny 32-bit generator, plenty for shuffles and augmentation draws (not for cryptography). */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32;
  };
}

/**
 * Mix several integers into one seed, so that e.g. (seed, pass, image) gets its own stream no matter in which order
 * images are decoded. Each part goes through a murmur3-style finaliser.
 */
export function mixSeeds(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    let k = Math.trunc(part) >>> 0;
    k = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35);
    k ^= k >>> 16;
    hash = Math.imul(hash ^ k, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A uniform draw in [low, high). */
export function uniform(random: RandomSource, low: number, high: number): number {
  return low + (high - low) * random();
}

/** The numbers 0 … n−1 in a random order (Fisher–Yates). */
export function permutation(n: number, random: RandomSource): number[] {
  const order = Array.from({ length: n }, (_, index) => index);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
