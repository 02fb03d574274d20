import { seededRandom } from '../../util/seeded-random';

/**
 * `k` distinct indices of 0..count-1 drawn without replacement (partial Fisher–Yates with the project's seeded
 * Mulberry32), returned ascending; all indices when k >= count. Same seed, same sample.
 */
export function seededSampleIndices(count: number, k: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (k >= count) return all;
  const random = seededRandom(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, k).sort((a, b) => a - b);
}
