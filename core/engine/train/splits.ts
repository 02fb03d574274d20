/**
 * Train / validation / test splits of a dataset.
 *
 * `splitByName` keeps every frame of one molecule (all structures sharing a `name`, e.g. QM9's equilibrium and
 * displaced frames of `dsgdb9nsd_000004`) on one side, and decides each name's side from a seeded hash of the name
 * alone. The split therefore does not depend on the order of the file, on which other frames were read, or on the
 * session: a test molecule of one training run stays a test molecule of every later run with the same seed.
 */
import type { Structure } from '../../structure/structure';
import { seededRandom } from '../../util/seeded-random';

export interface NameSplitOptions {
  readonly seed: number;
  /** Fraction of names that go to validation, in [0, 1). */
  readonly validation: number;
  /** Fraction of names that go to test, in [0, 1). */
  readonly test: number;
  /** The grouping key of a structure (default: its name; a structure with no name is its own group). */
  readonly keyOf?: (structure: Structure, index: number) => string;
}

export interface DatasetSplit<T> {
  readonly train: T[];
  readonly validation: T[];
  readonly test: T[];
}

/** FNV-1a 32-bit hash of `text` mixed with `seed`, as a float in [0, 1). */
export function seededNameHash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so that names differing in the last character spread over [0, 1).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Which side a group key falls on: test below `test`, validation in the next `validation`, train above. */
export function sideOfName(key: string, options: Pick<NameSplitOptions, 'seed' | 'validation' | 'test'>): keyof DatasetSplit<unknown> {
  const u = seededNameHash(key, options.seed);
  if (u < options.test) return 'test';
  if (u < options.test + options.validation) return 'validation';
  return 'train';
}

/** Splits structures by molecule name (all frames of a name on one side), stable across files and sessions. */
export function splitByName<T extends Structure>(structures: readonly T[], options: NameSplitOptions): DatasetSplit<T> {
  if (!(options.validation >= 0 && options.test >= 0 && options.validation + options.test < 1)) {
    throw new Error(`split fractions must be non-negative and sum below 1 (validation ${options.validation}, test ${options.test})`);
  }
  const keyOf = options.keyOf ?? ((s: Structure, i: number) => (s.name === '' ? `#${i + 1}` : s.name));
  const out: DatasetSplit<T> = { train: [], validation: [], test: [] };
  structures.forEach((s, i) => out[sideOfName(keyOf(s, i), options)].push(s));
  return out;
}

export interface FractionSplitOptions {
  readonly seed: number;
  /** Fraction of structures that go to validation, in [0, 1). */
  readonly validation: number;
  /** Fraction of structures that go to test, in [0, 1). */
  readonly test: number;
}

function checkFractions(options: FractionSplitOptions): void {
  if (!(options.validation >= 0 && options.test >= 0 && options.validation + options.test < 1)) {
    throw new Error(`split fractions must be non-negative and sum below 1 (validation ${options.validation}, test ${options.test})`);
  }
}

/**
 * A seeded random split: a Fisher–Yates shuffle (Mulberry32 with `seed`), the first round(test · n) structures to
 * test, the next round(validation · n) to validation, the rest to train (each side in file order). The same
 * structures, order and seed give the same split.
 */
export function splitRandom<T>(items: readonly T[], options: FractionSplitOptions): DatasetSplit<T> {
  checkFractions(options);
  const random = seededRandom(options.seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTest = Math.round(options.test * items.length);
  const nValidation = Math.round(options.validation * items.length);
  const side = new Array<keyof DatasetSplit<T>>(items.length).fill('train');
  order.forEach((index, rank) => {
    if (rank < nTest) side[index] = 'test';
    else if (rank < nTest + nValidation) side[index] = 'validation';
  });
  const out: DatasetSplit<T> = { train: [], validation: [], test: [] };
  items.forEach((item, i) => out[side[i]!].push(item));
  return out;
}

/**
 * A scaffold split: structures grouped by their Bemis–Murcko scaffold (`scaffoldOf`, e.g. core/chem/scaffold.ts),
 * each group on one side by the seeded hash of the scaffold, as splitByName does with names; so no test molecule
 * shares a ring system with a training molecule. Molecules without rings (scaffold '') are grouped by name.
 */
export function splitByScaffold<T extends Structure>(structures: readonly T[], scaffoldOf: (structure: T, index: number) => string, options: FractionSplitOptions): DatasetSplit<T> {
  return splitByName(structures, {
    ...options,
    keyOf: (s, i) => {
      const scaffold = scaffoldOf(s as T, i);
      if (scaffold !== '') return `scaffold:${scaffold}`;
      return s.name === '' ? `#${i + 1}` : s.name;
    },
  });
}

/**
 * The first `n` items of a seeded Fisher–Yates shuffle of `items` (all of them, shuffled, when n ≥ items.length):
 * a fixed random subset, e.g. the validation or test frames a training recipe evaluates.
 */
export function seededSubset<T>(items: readonly T[], n: number, seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}
