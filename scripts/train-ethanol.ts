/**
 * The ethanol recipe of `equimol train` (main/train/train-runner.ts): any family (egnn, mace, tdn, escn, faenet) on
 * rMD17 ethanol (BOTNet split: 1000 train frames, of which 5 % validation, and the 1000 test_MD frames as the test
 * set), E0 from the dataset's isolated atoms; writes the model file, card and plots under assets/models/benchmarks/.
 *
 *   nice -n 5 node --import tsx scripts/train-ethanol.ts --model mace --minutes 20 --channels 16 --lmax 1
 *
 * is the same run as
 *
 *   equimol train ../shared/datasets/botnet_ethanol_rmd17/train.extxyz.gz --test-file ../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz \
 *     --test 0 --validation 0.05 --isolated-atoms ../shared/datasets/botnet_ethanol_rmd17/isolated_atoms.extxyz.gz \
 *     --family mace --minutes 20 --channels 16 --lmax 1 --out assets/models/benchmarks/mace-ethanol-rmd17
 *
 * with the ethanol card texts. Width flags: --features/--layers (egnn), --channels/--lmax/--sh-lmax/--interactions/
 * --correlation (mace, tdn, escn), --hidden/--interactions (faenet); unset ones take the family's defaults
 * (main/train/family-recipes.ts). --init continues from a model file (its earlier runs stay in the record).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILIES, FAMILY_RECIPES, WIDTH_FLAGS, type Family } from '../main/train/family-recipes';
import { runTraining, type TrainRunConfig } from '../main/train/train-runner';

const root = fileURLToPath(new URL('..', import.meta.url));
const data = join(root, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'egnn' },
    minutes: { type: 'string', default: '25' },
    ...Object.fromEntries(WIDTH_FLAGS.map((f) => [f, { type: 'string' as const }])),
    cutoff: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '8' },
    'learning-rate': { type: 'string' },
    'force-weight': { type: 'string', default: '10' },
    'energy-weight': { type: 'string', default: '1' },
    'max-epochs': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    /** Threads for one run: this one plus N-1 worker threads that each compute part of every batch (same steps). */
    threads: { type: 'string', default: '1' },
    /** Evaluate on the first N test_MD frames only (smoke runs); default all 1000. */
    'test-frames': { type: 'string' },
    /** Continue from a model file (its weights, config and normalisation); earlier training is added to the record. */
    init: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!(FAMILIES as readonly string[]).includes(values.model)) throw new Error(`--model ${values.model}: choose one of ${FAMILIES.join(', ')}`);
const family = values.model as Family;
const recipe = FAMILY_RECIPES[family];
const number = (flag: string, text: string | undefined): number => {
  const x = Number(text);
  if (text === undefined || !Number.isFinite(x)) throw new Error(`--${flag} must be a number, got '${text}'`);
  return x;
};
const widths: Record<string, number> = {};
for (const flag of Object.keys(recipe.defaults)) {
  const given = (values as Record<string, string | boolean | undefined>)[flag];
  if (typeof given === 'string') widths[flag] = number(flag, given);
}
const config: TrainRunConfig = {
  data: [join(data, 'train.extxyz.gz')],
  testFiles: [join(data, 'test_MD.extxyz.gz')],
  ...(values['test-frames'] ? { testLimit: number('test-frames', values['test-frames']) } : {}),
  targets: ['energy:eV', 'forces:eV/Å'],
  split: 'random', validation: 0.05, test: 0, splitSeed: number('seed', values.seed),
  isolatedAtoms: join(data, 'isolated_atoms.extxyz.gz'),
  species: [1, 6, 8],
  cutoff: number('cutoff', values.cutoff),
  ...(values.init ? { init: values.init } : { family, widths }),
  out: values.out ?? join(root, 'assets', 'models', 'benchmarks', `${family}-ethanol-rmd17`),
  minutes: number('minutes', values.minutes),
  epochs: number('max-epochs', values['max-epochs']),
  batchSize: number('batch-size', values['batch-size']),
  learningRate: values['learning-rate'] ? number('learning-rate', values['learning-rate']) : recipe.learningRate,
  warmupSteps: recipe.warmupSteps,
  energyWeight: number('energy-weight', values['energy-weight']),
  forceWeight: number('force-weight', values['force-weight']),
  seed: number('seed', values.seed),
  members: 1, ensemble: 'seeds',
  threads: number('threads', values.threads),
  command: `node --import tsx scripts/train-ethanol.ts ${process.argv.slice(2).join(' ')}`,
  card: {
    title: `${recipe.name} for ethanol (rMD17)`,
    description: `${recipe.description} Trained on ethanol.`,
    trainingData: 'rMD17 ethanol, BOTNet split (davkovacs/BOTNet-datasets dataset_ethanol): 950 train / 50 validation frames of train.extxyz; test: the 1000 test_MD frames; PBE/def2-SVP (ORCA). rMD17: CC0.',
    intendedUse: 'Energies and forces of ethanol conformations near the rMD17 MD distribution (~500 K); demonstration of training in Equimol.',
    limitations: 'Knows H, C, O only; trained on one molecule: not transferable to other molecules; no long-range electrostatics.',
    citation: `${recipe.citation}; Christensen & von Lilienfeld 2020 (rMD17); Batatia et al. 2022 (BOTNet split).`,
  },
};
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
const result = await runTraining(config, {
  signal: controller.signal,
  onEvent: (e) => {
    if (e.kind === 'data') console.log(`data: ${e.split}`);
    if (e.kind === 'member') console.log(`${family}: ${e.parameters} parameters`);
    if (e.kind === 'progress' && e.phase === 'epoch' && e.validation) {
      console.log(`epoch ${e.epoch + 1} ${e.elapsedSeconds.toFixed(0)} s lr ${e.learningRate.toExponential(2)} loss ${e.loss.toFixed(5)} `
        + `val E ${e.validation.energyMAE_meV.toFixed(1)} meV F ${e.validation.forceMAE_meV_per_A.toFixed(1)} meV/Å (best epoch ${(e.bestEpoch ?? 0) + 1})`);
    }
    if (e.kind === 'member-done' && e.test) console.log(`stopped by ${e.stoppedBy} after ${e.epochs} epochs; test_MD (${e.test.structures}): energy MAE ${e.test.energyMAE_meV.toFixed(2)} meV, force MAE ${e.test.forceMAE_meV_per_A.toFixed(2)} meV/Å`);
  },
});
console.log(`wrote ${result.files.join(', ')} and ${result.card}`);
