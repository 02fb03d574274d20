/**
 * Resume files of a training run: `X.resume.json` (the run's plain state, with non-finite numbers kept) and
 * `X.resume.bin` (the optimiser's weights, EMA, moments and the best weights, float32, in the JSON's order).
 * Both are written to a temporary name and renamed, bin first, so a killed run leaves the previous pair or the new one.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { TrainState } from '../../core/engine/train/train-state';

const GROUPS = ['values', 'average', 'firstMoment', 'secondMoment', 'best'] as const;

interface ResumeDocument {
  readonly format: 'equimol-train-resume';
  readonly version: 1;
  /** Anything the caller keeps with the state (the run's configuration, the member). */
  readonly extra: unknown;
  readonly state: Omit<TrainState, 'optimiser' | 'best'> & { readonly optimiser: { readonly steps: number; readonly tensorSteps: readonly number[] } };
  /** Tensor lengths per group (best absent: []). */
  readonly arrays: Readonly<Record<(typeof GROUPS)[number], readonly number[]>>;
}

const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value);
const reviver = (_key: string, value: unknown) => (value && typeof value === 'object' && '$number' in value ? Number((value as { $number: string }).$number) : value);

export function resumePaths(base: string): { json: string; bin: string } {
  return { json: `${base}.resume.json`, bin: `${base}.resume.bin` };
}

export async function writeResumeFile(base: string, state: TrainState, extra: unknown): Promise<void> {
  const groups: Record<(typeof GROUPS)[number], readonly Float32Array[]> = {
    values: state.optimiser.values, average: state.optimiser.average, firstMoment: state.optimiser.firstMoment,
    secondMoment: state.optimiser.secondMoment, best: state.best ?? [],
  };
  const all = GROUPS.flatMap((g) => groups[g]);
  const bytes = new Uint8Array(all.reduce((n, a) => n + 4 * a.length, 0));
  let offset = 0;
  for (const a of all) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  const { optimiser, best: _best, ...rest } = state;
  const document: ResumeDocument = {
    format: 'equimol-train-resume', version: 1, extra,
    state: { ...rest, optimiser: { steps: optimiser.steps, tensorSteps: optimiser.tensorSteps } },
    arrays: {
      values: groups.values.map((a) => a.length), average: groups.average.map((a) => a.length), firstMoment: groups.firstMoment.map((a) => a.length),
      secondMoment: groups.secondMoment.map((a) => a.length), best: groups.best.map((a) => a.length),
    },
  };
  const paths = resumePaths(base);
  await writeFile(`${paths.bin}.tmp`, bytes);
  await writeFile(`${paths.json}.tmp`, JSON.stringify(document, replacer));
  await rename(`${paths.bin}.tmp`, paths.bin);
  await rename(`${paths.json}.tmp`, paths.json);
}

export async function readResumeFile(base: string): Promise<{ state: TrainState; extra: unknown }> {
  const paths = resumePaths(base);
  const document = JSON.parse(await readFile(paths.json, 'utf8'), reviver) as ResumeDocument;
  if (document.format !== 'equimol-train-resume' || document.version !== 1) throw new Error(`${paths.json}: not an Equimol resume file (version 1)`);
  const bin = await readFile(paths.bin);
  const expected = GROUPS.reduce((n, g) => n + 4 * document.arrays[g].reduce((s, l) => s + l, 0), 0);
  if (bin.byteLength !== expected) throw new Error(`${paths.bin}: ${bin.byteLength} bytes, ${paths.json} describes ${expected}`);
  let offset = 0;
  const take = (g: (typeof GROUPS)[number]) => document.arrays[g].map((length) => {
    const a = new Float32Array(length);
    new Uint8Array(a.buffer).set(bin.subarray(offset, offset + 4 * length));
    offset += 4 * length;
    return a;
  });
  const [values, average, firstMoment, secondMoment, best] = GROUPS.map(take) as [Float32Array[], Float32Array[], Float32Array[], Float32Array[], Float32Array[]];
  const state: TrainState = {
    ...document.state,
    optimiser: { steps: document.state.optimiser.steps, tensorSteps: document.state.optimiser.tensorSteps, values, average, firstMoment, secondMoment },
    ...(best.length > 0 ? { best } : {}),
  };
  return { state, extra: document.extra };
}
