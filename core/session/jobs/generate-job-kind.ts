/**
 * Generate jobs: new 3D molecules from a session generator (an EDM file, core/session/generator-service.ts),
 * made batch by batch with core/generative/generation.ts (the run `equimol generate` makes: same seed, same
 * molecules) and scored as EDM scores them (atom and molecule stability, RDKit validity, uniqueness in the run).
 * Progress counts network evaluations (steps + 1 per batch) with the current batch's step and the molecules
 * finished (SamplerJobStatus.molecules, stage 'denoising' or 'scoring').
 * Outputs: a 'generated' document `<generator>-generated.sdf` that grows by one scored batch at a time (score
 * properties as columns, invalid molecules with status 'invalid' and the reason in error), one result row per
 * molecule (the score columns), and with `trajectory` (default) a 'trajectory' document of the first molecule's
 * denoising chain, a frame every `trajectoryEvery` steps, linked to molecule 1 of the generated document.
 * Cancelling keeps every finished batch in the document and the rows.
 */
import type { DocumentOrigin, GenerateJobRequest, SamplerJobStatus } from '../../contract/equimol-api';
import { JobCancelledError } from '../../pipeline/cancel';
import type { ResultRow } from '../../pipeline/rows';
import type { PredictionColumn, PredictionValue } from '../../predict/predictor';
import { hillFormula, type Structure } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import type { OpenDocument } from '../documents';
import { createYielder } from './sampler-documents';
import type { JobKindHandler } from './job-kind';

/** The result rows' columns: EDM's per-molecule scores (flags as 1 / 0). */
export const GENERATE_COLUMNS: readonly PredictionColumn[] = [
  { key: 'atom_stable_fraction', label: 'Stable atoms (fraction)', unit: '', kind: 'number' },
  { key: 'mol_stable', label: 'Molecule stable (1 yes, 0 no)', unit: '', kind: 'number' },
  { key: 'valid', label: 'Valid (1 yes, 0 no)', unit: '', kind: 'number' },
  { key: 'unique', label: 'Unique in the run (1 yes, 0 no)', unit: '', kind: 'number' },
  { key: 'smiles', label: 'SMILES', unit: '', kind: 'string' },
];

/** Frames of the denoising trajectory: about this many whatever the step count. */
const TRAJECTORY_FRAMES = 50;

export const generateJobKind: JobKindHandler<GenerateJobRequest> = {
  kind: 'generate',
  async plan(request, services) {
    const generators = services.generators;
    if (!generators) throw new Error('this session offers no generators');
    const info = await generators.describe(request.generator);
    const steps = request.steps ?? info.defaultSteps;
    if (steps > info.timesteps) throw new RangeError(`request.steps (${steps}) exceeds the ${info.timesteps} steps ${info.name} ${info.family === 'edm' ? 'was trained with' : 'takes'}`);
    if (request.atoms !== undefined && request.atoms > info.maxAtoms) {
      throw new RangeError(`request.atoms (${request.atoms}) exceeds the largest molecule of ${info.name}'s training data (${info.maxAtoms} atoms)`);
    }
    const property = info.property;
    if (request.target && !property) throw new RangeError(`request.target: ${info.name} is unconditional; it takes no property target`);
    if (request.target && property && request.target.property !== property.name) {
      throw new RangeError(`request.target.property '${request.target.property}' is not ${info.name}'s conditioning property '${property.name}'`);
    }
    // A conditional generator without a target samples at the training mean of its property.
    const target = property ? (request.target?.value ?? property.mean) : undefined;
    const { GENERATE_BATCH_SIZE } = await import('../../generative/generation');
    const batchSize = request.batchSize ?? GENERATE_BATCH_SIZE;
    const batches = Math.ceil(request.count / batchSize);
    const trajectory = request.trajectory ?? true;
    const every = request.trajectoryEvery ?? Math.max(1, Math.ceil(steps / TRAJECTORY_FRAMES));
    return {
      label: `generate ${request.count} with ${info.name} (${steps} steps${request.schedule && request.schedule !== 'uniform' ? `, ${request.schedule} schedule` : ''})`,
      total: batches * (steps + 1),
      unit: 'steps',
      columns: GENERATE_COLUMNS,
      exportSuffix: 'generated',
      async run(context, output) {
        const [model, generation, toolkits] = await Promise.all([
          generators.get(request.generator), import('../../generative/generation'), import('../../toolkits/toolkits'),
        ]);
        await toolkits.loadRDKit();
        const yieldNow = createYielder();
        const origin: Omit<DocumentOrigin, 'live'> = { kind: 'generated', jobId: context.jobId, jobKind: 'generate', calculator: request.generator };
        const fileName = `${info.name}-generated.sdf`;
        const extra = property && target !== undefined ? { [`${property.name}_target`]: target } : {};
        const seen = new Set<string>();
        let samples: OpenDocument | undefined;
        let trajectoryDoc: OpenDocument | undefined;
        let done = 0;
        let lastStatus: SamplerJobStatus | undefined;
        const status = (s: Omit<SamplerJobStatus, 'energy'>): SamplerJobStatus => ({ ...s, energy: Number.NaN });
        const addTrajectory = (frames: readonly Structure[]) => {
          if (trajectoryDoc || !samples || frames.length === 0) return;
          trajectoryDoc = services.documents.create(`${info.name}-1-denoising.extxyz`, frames, {
            origin: { ...origin, kind: 'trajectory', sourceDocId: samples.id, sourceIndex: 0, live: false },
            columnLabels: { frame: { label: 'Frame', unit: '' } },
          });
          context.addOutputDocument(trajectoryDoc.id);
        };
        let result;
        try {
          result = await generation.generateMolecules(model, {
            count: request.count, seed: request.seed ?? 1, steps, batchSize, ...(request.schedule ? { schedule: request.schedule } : {}),
            ...(request.atoms !== undefined ? { atoms: request.atoms } : {}),
            ...(target !== undefined ? { target } : {}),
            ...(trajectory ? { trajectoryEvery: every } : {}),
            signal: context.signal,
            onProgress: (p) => {
              lastStatus = status({ step: p.step, totalSteps: p.batchSteps, stage: 'denoising', molecules: p.molecules, totalMolecules: p.count });
              context.reportSampler(lastStatus, p.evaluations);
            },
            onBatch: async (molecules, first, frames) => {
              context.reportSampler(status({ step: lastStatus?.step ?? 0, totalSteps: steps + 1, stage: 'scoring', molecules: first, totalMolecules: request.count }));
              const scored = generation.withScores(molecules, seen, extra);
              if (!samples) {
                samples = services.documents.create(fileName, scored.structures, {
                  origin: { ...origin, live: true }, format: 'sdf', formatName: 'Generated molecules', columnLabels: generation.GENERATED_COLUMN_LABELS,
                });
                context.addOutputDocument(samples.id);
              } else {
                samples.append(scored.structures);
                services.documents.changed(samples.id, false);
              }
              const rows: ResultRow[] = scored.structures.map((structure, g) => {
                const score = scored.scores[g]!;
                const ok = score.status === 'ok';
                const values: Readonly<Record<string, PredictionValue>> = ok ? {
                  atom_stable_fraction: score.atom_stable_fraction, mol_stable: score.mol_stable ? 1 : 0, valid: score.valid ? 1 : 0,
                  unique: score.unique ? 1 : 0, smiles: score.smiles ?? '',
                } : {};
                return {
                  file: fileName, record: first + g, line: 0, name: structure.name, formula: hillFormula(structure.numbers, symbolOf),
                  nAtoms: structure.numbers.length, status: ok ? 'ok' : 'error', error: ok ? '' : score.error, values, structure,
                  prediction: { values, structure },
                };
              });
              output.addRows(rows, rows.map(() => samples!.id));
              if (frames) addTrajectory(frames);
              done = first + molecules.length;
              context.reportSampler(status({ step: steps + 1, totalSteps: steps + 1, stage: 'denoising', molecules: done, totalMolecules: request.count }));
              await yieldNow();
            },
          });
        } finally {
          if (samples) {
            samples.origin = { ...origin, live: false };
            services.documents.changed(samples.id, true);
          }
        }
        if (result.cancelled) throw new JobCancelledError();
      },
    };
  },
};
