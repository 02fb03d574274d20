/**
 * Mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). The one source of randomness for
 * parameter initialisation, data shuffling, layer constants, fuzzing and tests, so every run is reproducible.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
