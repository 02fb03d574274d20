/**
 * MD jobs: molecular dynamics (core/sampling/md/md.ts) of one structure of an open document on a session
 * calculator. Output: a 'trajectory' document, one frame every `every` steps (and the first and last), growing
 * while the job runs and kept with the frames so far when it is cancelled or a watchdog stops it. Progress counts
 * steps; the one result row has the last frame's energy (eV), temperature (K), time (fs) and the steps run, or is
 * an error row with the sampler's problem (step and atoms).
 */
import type { MdJobRequest } from '../../contract/equimol-api';
import { errorRow } from '../../pipeline/predict-batch';
import type { PredictionColumn } from '../../predict/predictor';
import { fixedAtomsOf } from '../../predict/relax-predictor';
import type { SamplerFrame, SamplerReport } from '../../sampling/frames';
import { MD_DEFAULTS, runMolecularDynamics } from '../../sampling/md/md';
import { JobCancelledError } from '../../pipeline/cancel';
import { stem } from '../export-rows';
import type { JobKindHandler } from './job-kind';
import { createYielder, frameStructure, JobDocument } from './sampler-documents';

export const MD_COLUMNS: readonly PredictionColumn[] = [
  { key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' },
  { key: 'temperature', label: 'Temperature', unit: 'K', kind: 'number' },
  { key: 'time', label: 'Time', unit: 'fs', kind: 'number' },
  { key: 'steps', label: 'Steps', unit: '', kind: 'number' },
];

export const mdJobKind: JobKindHandler<MdJobRequest> = {
  kind: 'md',
  async plan(request, services) {
    const calculatorName = (await services.calculators.describe(request.calculator)).name;
    const document = services.documents.get(request.docId);
    const source = document.structure(request.index);
    const n = source.numbers.length;
    const outside = (request.fixedAtoms ?? []).filter((a) => a >= n);
    if (outside.length > 0) {
      throw new RangeError(`request.fixedAtoms: ${document.name} structure ${request.index + 1} has ${n} atoms; there is no atom ${outside.map((a) => a + 1).join(', ')}`);
    }
    return {
      label: `md (${calculatorName}) on ${document.name} #${request.index + 1}`,
      total: request.steps,
      unit: 'steps',
      columns: MD_COLUMNS,
      exportSuffix: 'md',
      async run(context, output) {
        const calculator = await services.calculators.get(request.calculator);
        const row = document.rows[request.index]!;
        const place = { file: document.name, record: request.index, line: row.line };
        const trajectory = new JobDocument(services.documents, context, `${stem(document.name)}-${request.index + 1}-md.extxyz`, {
          kind: 'trajectory',
          jobId: context.jobId,
          jobKind: 'md',
          sourceDocId: document.id,
          sourceIndex: request.index,
          calculator: request.calculator,
        });
        const name = `${source.name || stem(document.name)} #${request.index + 1}`;
        const yieldNow = createYielder();
        let last: SamplerFrame | undefined;
        let report: SamplerReport | undefined;
        try {
          const run = runMolecularDynamics(source, calculator, {
            thermostat: request.thermostat ?? MD_DEFAULTS.thermostat,
            temperature: request.temperature ?? MD_DEFAULTS.temperature,
            timestep: request.timestep ?? MD_DEFAULTS.timestep,
            steps: request.steps,
            every: request.every ?? MD_DEFAULTS.every,
            seed: request.seed ?? MD_DEFAULTS.seed,
            friction: request.friction ?? MD_DEFAULTS.friction,
            tau: request.tau ?? MD_DEFAULTS.tau,
            fixed: new Set([...fixedAtomsOf(source), ...(request.fixedAtoms ?? [])]),
            signal: context.signal,
          });
          for (;;) {
            const next = await run.next();
            if (next.done) {
              report = next.value;
              break;
            }
            if (context.signal.aborted) break;
            const frame = next.value;
            last = frame;
            trajectory.add(frameStructure(source, frame, `${name} step ${frame.step}`));
            context.reportSampler(
              {
                step: frame.step,
                totalSteps: request.steps,
                energy: frame.energy,
                fmax: frame.fmax,
                ...(frame.temperature !== undefined ? { temperature: frame.temperature } : {}),
                ...(frame.time !== undefined ? { time: frame.time } : {}),
              },
              frame.step,
            );
            await yieldNow();
          }
        } catch (error) {
          // Bad options of this structure (a RangeError naming it): an error row, as for any failing structure.
          if (context.signal.aborted) throw new JobCancelledError();
          const message = error instanceof Error ? error.message : String(error);
          output.addRows([errorRow(place.file, place.record, place.line, message, source, row.formula)], [document.id]);
          context.setMessage(message);
          context.report(0, 1);
          return;
        } finally {
          trajectory.finish();
        }
        if (!report || report.status === 'cancelled' || context.signal.aborted) throw new JobCancelledError();
        if (report.status === 'stopped' || !last) {
          const message = `molecular dynamics of ${name} stopped: ${report.problem?.message ?? report.summary}`;
          output.addRows([errorRow(place.file, place.record, place.line, message, last ? frameStructure(source, last, name) : source, row.formula)], [document.id]);
          context.setMessage(message);
          context.report(last?.step ?? 0, 1);
          return;
        }
        const values = { energy: last.energy, temperature: last.temperature ?? null, time: last.time ?? null, steps: report.steps };
        const final = frameStructure(source, last, name);
        output.addRows(
          [
            {
              file: place.file,
              record: place.record,
              line: place.line,
              name,
              formula: row.formula,
              nAtoms: n,
              status: 'ok',
              error: '',
              values,
              structure: final,
              prediction: { values, structure: final },
            },
          ],
          [document.id],
        );
        context.report(request.steps, 0);
      },
    };
  },
};
