/**
 * Conformers jobs: a Boltzmann conformer ensemble of each molecule of open documents on a session calculator
 * (core/sampling/conformers/conformer-search.ts: annealed Langevin SMC, then relaxation, connectivity and stereo
 * checks, symmetry-aware deduplication, an energy window and Boltzmann weights), one molecule at a time. A SMILES
 * record starts from several seeded openchemlib embeddings, any other from its own geometry (the sampler perturbs
 * it to fill the population). Progress: per rung with the Kish ESS of every rung so far (SamplerJobStatus.rung,
 * rungs, ess, stage); a single molecule counts rungs (plus one for the relaxations), several count molecules.
 * Outputs: one 'conformers' document per molecule, `<stem>-<record>-conformers.sdf`, sorted by energy with
 * energy (eV), relative_energy (kcal/mol), boltzmann_weight and conformer_rank; one result row per molecule
 * (conformers, lowest energy eV, dropped counts, final ESS, calculator calls) or an error row naming why.
 */
import type { ConformersJobRequest, DocumentOrigin } from '../../contract/equimol-api';
import { JobCancelledError } from '../../pipeline/cancel';
import { errorRow } from '../../pipeline/predict-batch';
import {
  CONFORMER_PROPERTY_LABELS,
  CONFORMER_SEARCH_DEFAULTS,
  CONFORMER_SUMMARY_COLUMNS,
  conformerSummaryValues,
  searchConformers,
} from '../../sampling/conformers/conformer-search';
import { stem } from '../export-rows';
import { jobLabel, requestItems, type JobKindHandler } from './job-kind';
import { createYielder } from './sampler-documents';

export const conformersJobKind: JobKindHandler<ConformersJobRequest> = {
  kind: 'conformers',
  async plan(request, services) {
    const calculatorName = (await services.calculators.describe(request.calculator)).name;
    const items = requestItems(services, request.docIds, request.indices);
    const single = items.length === 1;
    const rungs = request.rungs ?? CONFORMER_SEARCH_DEFAULTS.rungs;
    const startTemperature = request.startTemperature ?? CONFORMER_SEARCH_DEFAULTS.startTemperature;
    const temperature = request.temperature ?? CONFORMER_SEARCH_DEFAULTS.temperature;
    if (!(startTemperature > temperature)) {
      throw new RangeError(`request.startTemperature (${startTemperature} K) must be above request.temperature (${temperature} K)`);
    }
    return {
      label: jobLabel(`conformers (${calculatorName})`, services, request.docIds),
      total: single ? rungs + 1 : items.length,
      unit: single ? 'steps' : 'structures',
      columns: CONFORMER_SUMMARY_COLUMNS,
      exportSuffix: 'conformers',
      async run(context, output) {
        const calculator = await services.calculators.get(request.calculator);
        const yieldNow = createYielder();
        let failed = 0;
        let firstError: string | undefined;
        for (let i = 0; i < items.length; i++) {
          if (context.signal.aborted) throw new JobCancelledError();
          const item = items[i]!;
          const document = services.documents.get(item.docId);
          const row = document.rows[item.index]!;
          const source = document.structure(item.index);
          const name = `${source.name || stem(item.file)} #${item.index + 1}`;
          const fail = (message: string) => {
            failed++;
            firstError ??= message;
            output.addRows([errorRow(item.file, item.index, row.line, message, source, row.formula)], [item.docId]);
          };
          let essSoFar: number[] = [];
          let meanEnergy = 0;
          let result;
          try {
            result = await searchConformers(
              source,
              calculator,
              {
                ...(request.population !== undefined ? { population: request.population } : {}),
                startTemperature,
                temperature,
                rungs,
                ...(request.stepsPerRung !== undefined ? { stepsPerRung: request.stepsPerRung } : {}),
                ...(request.essThreshold !== undefined ? { essThreshold: request.essThreshold } : {}),
                ...(request.seed !== undefined ? { seed: request.seed } : {}),
                ...(request.windowKcal !== undefined ? { windowKcal: request.windowKcal } : {}),
                ...(request.rmsdThreshold !== undefined ? { rmsdThreshold: request.rmsdThreshold } : {}),
                ...(request.torsionMoves !== undefined ? { torsionMoves: request.torsionMoves } : {}),
                signal: context.signal,
              },
              {
                async rung(report, ess) {
                  essSoFar = [...ess];
                  meanEnergy = report.meanEnergy;
                  context.reportSampler(
                    { step: report.rung + 1, totalSteps: rungs, energy: report.meanEnergy, temperature: report.temperature, rung: report.rung, rungs, ess: essSoFar, stage: 'annealing' },
                    single ? report.rung + 1 : undefined,
                  );
                  await yieldNow();
                },
                async relaxed() {
                  context.reportSampler({ step: rungs, totalSteps: rungs, energy: meanEnergy, rung: rungs - 1, rungs, ess: essSoFar, stage: 'relaxing' });
                  await yieldNow();
                },
              },
            );
          } catch (error) {
            // Bad options for this molecule (a RangeError naming it): an error row, as for any failing molecule.
            if (context.signal.aborted) throw new JobCancelledError();
            fail(error instanceof Error ? error.message : String(error));
            context.report(single ? 0 : i + 1, failed);
            continue;
          }
          if (result.status === 'cancelled' || context.signal.aborted) throw new JobCancelledError();
          if (result.status === 'stopped' || !result.ensemble) {
            fail(`conformer search of ${name} stopped: ${result.problem ?? 'no conformers'}`);
          } else {
            const conformers = result.ensemble.conformers;
            const origin: DocumentOrigin = {
              kind: 'conformers',
              jobId: context.jobId,
              jobKind: 'conformers',
              sourceDocId: item.docId,
              sourceIndex: item.index,
              calculator: request.calculator,
              live: false,
            };
            const made = services.documents.create(`${stem(item.file)}-${item.index + 1}-conformers.sdf`, conformers, {
              origin,
              format: 'sdf',
              formatName: 'Conformers',
              columnLabels: CONFORMER_PROPERTY_LABELS,
            });
            context.addOutputDocument(made.id);
            const values = conformerSummaryValues(result);
            const lowest = conformers[0]!;
            output.addRows(
              [
                {
                  file: item.file,
                  record: item.index,
                  line: row.line,
                  name,
                  formula: row.formula,
                  nAtoms: source.numbers.length,
                  status: 'ok',
                  error: '',
                  values,
                  structure: lowest,
                  prediction: { values, structure: lowest },
                },
              ],
              [item.docId],
            );
          }
          if (failed > 0) context.setMessage(single ? firstError! : `${failed} of ${items.length} conformer searches failed; first: ${firstError}`);
          context.report(single ? rungs + 1 : i + 1, failed);
          await yieldNow();
        }
      },
    };
  },
};
