/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/**
 * A mulberry32 generator when `seed` is given, else Math.random: tests need the random knobs
 * (drop, hang, failure, jitter) to repeat exactly, the demo wants variety.
 */
export function createRandom(seed?: number): Random {
  if (seed === undefined) return Math.random;
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
