/**
 * Relax jobs: geometry relaxation (core/sampling/relax/relax.ts through core/predict/relax-predictor.ts, the same
 * step `equimol relax` runs) of the structures of open documents on a session calculator, one at a time. Each
 * structure gives a result row (energy eV, fmax eV/Å, steps, converged) or, when the sampler stops it or the
 * calculator cannot evaluate it, an error row naming the step and the atoms; the rest goes on. Outputs: a
 * 'relaxed' document of the final structures, and with `trajectory` (default for a single structure) a
 * 'trajectory' document of every step per structure. A single structure's progress counts steps.
 */
import type { RelaxJobRequest } from '../../contract/equimol-api';
import { JobCancelledError } from '../../pipeline/cancel';
import { predictRows } from '../../pipeline/predict-batch';
import { createRelaxPredictor, RELAX_COLUMNS, type RelaxObserver } from '../../predict/relax-predictor';
import type { Structure } from '../../structure/structure';
import { stem } from '../export-rows';
import { jobLabel, requestItems, type JobItem, type JobKindHandler } from './job-kind';
import { createYielder, frameStructure, JobDocument } from './sampler-documents';
import { GPA_PER_EV_PER_A3 } from '../../calc/calculator';

/**
 * RelaxOptions defaults of the contract (RelaxJobRequest). No optimizer given: relax() picks ANCopt (xtb's
 * optimizer, converged as `xtb --opt`) for molecules and FIRE for periodic structures.
 */
export const RELAX_DEFAULTS = { fmax: 0.05, maxSteps: 500, maxStep: 0.2 } as const;

export const relaxJobKind: JobKindHandler<RelaxJobRequest> = {
  kind: 'relax',
  async plan(request, services) {
    const calculatorName = (await services.calculators.describe(request.calculator)).name;
    const items = requestItems(services, request.docIds, request.indices);
    if (request.fixedAtoms !== undefined && request.docIds.length !== 1) throw new RangeError('request.fixedAtoms is allowed only with a single document');
    const single = items.length === 1;
    const maxSteps = request.maxSteps ?? RELAX_DEFAULTS.maxSteps;
    const trajectories = request.trajectory ?? single;
    return {
      label: jobLabel(`relax (${calculatorName})`, services, request.docIds),
      total: single ? maxSteps : items.length,
      unit: single ? 'steps' : 'structures',
      columns: RELAX_COLUMNS,
      exportSuffix: 'relaxed',
      async run(context, output) {
        const calculator = await services.calculators.get(request.calculator);
        const origin = { jobId: context.jobId, jobKind: 'relax' as const, sourceDocId: request.docIds[0]!, calculator: request.calculator };
        const relaxed = new JobDocument(services.documents, context, `${stem(items[0]!.file)}-relaxed.extxyz`, { ...origin, kind: 'relaxed' });
        const yieldNow = createYielder();
        let current: JobItem = items[0]!;
        let lastStep = 0;
        const observe = (source: Structure): RelaxObserver | undefined => {
          const item = current;
          const trajectory = trajectories
            ? new JobDocument(services.documents, context, `${stem(item.file)}-${item.index + 1}-relax.extxyz`, {
                ...origin,
                kind: 'trajectory',
                sourceDocId: item.docId,
                sourceIndex: item.index,
              })
            : undefined;
          const name = `${source.name || stem(item.file)} #${item.index + 1}`;
          return {
            async frame(frame) {
              if (context.signal.aborted) return;
              trajectory?.add(frameStructure(source, frame, `${name} step ${frame.step}`));
              lastStep = frame.step;
              context.reportSampler({ step: frame.step, totalSteps: maxSteps, energy: frame.energy, fmax: frame.fmax }, single ? frame.step : undefined);
              await yieldNow();
            },
            end() {
              trajectory?.finish();
            },
          };
        };
        const aseOptimizer = request.optimizer === 'fire' || request.optimizer === 'lbfgs';
        const predictor = createRelaxPredictor({
          calculator,
          id: `relax:${request.calculator}`,
          relax: {
            ...(request.optimizer !== undefined ? { optimizer: request.optimizer } : {}),
            ...(request.level !== undefined ? { level: request.level } : {}),
            // FIRE and L-BFGS converge on fmax; ANCopt on xtb's criteria, with fmax and its trust radius only when asked.
            ...(aseOptimizer || request.fmax !== undefined ? { fmax: request.fmax ?? RELAX_DEFAULTS.fmax } : {}),
            maxSteps,
            ...(aseOptimizer || request.maxStep !== undefined ? { maxStep: request.maxStep ?? RELAX_DEFAULTS.maxStep } : {}),
            ...(request.fixedAtoms ? { fixed: new Set(request.fixedAtoms) } : {}),
            relaxCell: request.relaxCell ?? false,
            pressure: (request.pressureGPa ?? 0) / GPA_PER_EV_PER_A3,
          },
          observe,
        });
        let failed = 0;
        let firstError: string | undefined;
        try {
          for (let i = 0; i < items.length; i++) {
            if (context.signal.aborted) throw new JobCancelledError();
            current = items[i]!;
            const document = services.documents.get(current.docId);
            const row = document.rows[current.index]!;
            const structure = document.structure(current.index);
            const [result] = await predictRows(predictor, [{ place: { file: current.file, record: current.index, line: row.line, formula: row.formula }, structure }], context.signal);
            output.addRows([result!], [current.docId]);
            if (result!.status === 'ok' && result!.structure) relaxed.add(result!.structure);
            else {
              failed++;
              firstError ??= result!.error;
            }
            if (failed > 0) context.setMessage(single ? firstError! : `${failed} of ${items.length} relaxations failed; first: ${firstError}`);
            context.report(single ? 0 : i + 1, failed);
            await yieldNow();
          }
          // A relaxation that converged early took fewer than maxSteps: the finished job counts the steps it took.
          if (single) context.setTotal(lastStep);
        } finally {
          relaxed.finish();
        }
      },
    };
  },
};
