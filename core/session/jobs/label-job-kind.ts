/**
 * Label jobs: the structures of open documents evaluated with a session calculator (xtb) and written out with
 * the labels a training run reads: `energy` (eV), `forces` (eV/Å) and, where the calculator gives them (xtb),
 * atomic `charges` (e), `dipole` and `dipole_norm` (D), `homo`, `lumo` and `gap` (eV). These are the keys and
 * units of shared/datasets/qm9_xtb (GFN2-xTB labels of QM9), so a labelled file trains like that data set.
 * `createLabelPredictor` is the one labelling step: `equimol label` runs it through the batch pipeline (error rows,
 * resume, shards) and this job kind through predictRows. A structure the calculator refuses or whose SCF fails is
 * an error row naming the structure and is left out of the labelled document; the rest goes on.
 */
import { structureLabel, type Calculator } from '../../calc/calculator';
import type { LabelJobRequest } from '../../contract/equimol-api';
import { withPredictions } from '../../export/structures';
import { JobCancelledError } from '../../pipeline/cancel';
import { predictRows } from '../../pipeline/predict-batch';
import type { Prediction, PredictionColumn, PredictionValue, Predictor } from '../../predict/predictor';
import type { Structure } from '../../structure/structure';
import type { ColumnLabel } from '../documents';
import { stem } from '../export-rows';
import { jobLabel, requestItems, type JobKindHandler } from './job-kind';
import { createYielder } from './sampler-documents';

/** 1 e·Å in debye (CODATA 2018: 1 D = 0.208194 e·Å; the factor of core/engine/layers/heads.ts). */
export const DEBYE_PER_E_ANGSTROM = 4.80320471;

/** The labels per structure, as in qm9_xtb's comment lines. Per-atom `forces` and `charges` are atom arrays. */
export const LABEL_COLUMNS: readonly PredictionColumn[] = [
  { key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' },
  { key: 'homo', label: 'HOMO', unit: 'eV', kind: 'number' },
  { key: 'lumo', label: 'LUMO', unit: 'eV', kind: 'number' },
  { key: 'gap', label: 'HOMO-LUMO gap', unit: 'eV', kind: 'number' },
  { key: 'dipole', label: 'Dipole', unit: 'D', kind: 'vector', width: 3 },
  { key: 'dipole_norm', label: 'Dipole magnitude', unit: 'D', kind: 'number' },
];

/** Column labels of a labelled document. */
export const LABEL_COLUMN_LABELS: Readonly<Record<string, ColumnLabel>> = Object.fromEntries(
  LABEL_COLUMNS.map((c) => [c.key, { label: c.label, unit: c.unit }]),
);

function scalar(value: number | readonly number[] | undefined): number | undefined {
  if (typeof value === 'number') return value;
  return value?.length === 1 ? value[0] : undefined;
}

/** The labels of one calculator result: energy and forces always, the rest when the calculator gives them. */
function labelPrediction(result: { energy: number; forces?: Float64Array; atomArrays?: Readonly<Record<string, Float64Array>>; extras?: Readonly<Record<string, number | readonly number[]>> }): Prediction {
  const values: Record<string, PredictionValue> = { energy: result.energy };
  const homo = scalar(result.extras?.['homo']);
  const lumo = scalar(result.extras?.['lumo']);
  if (homo !== undefined) values['homo'] = homo;
  if (lumo !== undefined) values['lumo'] = lumo;
  if (homo !== undefined && lumo !== undefined) values['gap'] = lumo - homo;
  const dipole = result.extras?.['dipole'];
  if (Array.isArray(dipole) && dipole.length === 3) {
    const d = (dipole as readonly number[]).map((x) => x * DEBYE_PER_E_ANGSTROM); // [3] D
    values['dipole'] = d;
    values['dipole_norm'] = Math.hypot(d[0]!, d[1]!, d[2]!);
  }
  const atomArrays: Record<string, { width: number; data: Float64Array }> = {};
  if (result.forces) atomArrays['forces'] = { width: 3, data: result.forces }; // [nAtoms * 3] eV/Å
  const charges = result.atomArrays?.['charges'];
  if (charges) atomArrays['charges'] = { width: 1, data: charges }; // [nAtoms] e
  return { values, atomArrays };
}

/**
 * A Predictor whose prediction of a structure is its labels from `calculator` (which the caller owns). A
 * structure the calculator refuses or cannot evaluate (an SCF that does not converge) is an Error naming it.
 */
export function createLabelPredictor(calculator: Calculator, options: { readonly batchSize?: number } = {}): Predictor {
  return {
    id: `label:${calculator.description.id}`,
    description: `labels (energy, forces, charges, dipole, frontier orbitals) from ${calculator.description.name}`,
    columns: LABEL_COLUMNS,
    batchSize: options.batchSize ?? 4,
    async predict(batch, signal) {
      const results = await calculator.calculate(batch, { forces: true, ...(signal ? { signal } : {}) });
      return results.map((result, i) => {
        if (result instanceof Error) {
          const label = structureLabel(batch[i]!, i);
          return result.message.includes(label) ? result : new Error(`${label}: ${result.message}`);
        }
        return labelPrediction(result);
      });
    },
  };
}

/** The labelled structure: the input with its labels as properties and per-atom arrays (old values replaced). */
export function labelledStructure(structure: Structure, prediction: Prediction): Structure {
  return withPredictions(structure, prediction, LABEL_COLUMNS);
}

export const labelJobKind: JobKindHandler<LabelJobRequest> = {
  kind: 'label',
  async plan(request, services) {
    const calculatorName = (await services.calculators.describe(request.calculator)).name;
    const items = requestItems(services, request.docIds, request.indices);
    return {
      label: jobLabel(`label (${calculatorName})`, services, request.docIds),
      total: items.length,
      unit: 'structures',
      columns: LABEL_COLUMNS,
      exportSuffix: 'labelled',
      async run(context, output) {
        const calculator = await services.calculators.get(request.calculator);
        const predictor = createLabelPredictor(calculator);
        const yieldNow = createYielder();
        const name = `${stem(items[0]!.file)}-labelled.extxyz`;
        const origin = { kind: 'labelled' as const, jobId: context.jobId, jobKind: 'label' as const, sourceDocId: request.docIds[0]!, calculator: request.calculator };
        let labelled: ReturnType<typeof services.documents.create> | undefined;
        let failed = 0;
        let firstError: string | undefined;
        try {
          for (let start = 0; start < items.length; start += predictor.batchSize) {
            if (context.signal.aborted) throw new JobCancelledError();
            const batch = items.slice(start, start + predictor.batchSize).map((item) => {
              const document = services.documents.get(item.docId);
              const row = document.rows[item.index]!;
              return { item, place: { file: item.file, record: item.index, line: row.line, formula: row.formula }, structure: document.structure(item.index) };
            });
            const rows = await predictRows(predictor, batch, context.signal);
            output.addRows(rows, batch.map((b) => b.item.docId));
            const done: Structure[] = [];
            rows.forEach((row, i) => {
              if (row.status === 'ok' && row.prediction) done.push(labelledStructure(batch[i]!.structure, row.prediction));
              else {
                failed++;
                firstError ??= row.error;
              }
            });
            if (done.length > 0) {
              if (!labelled) {
                labelled = services.documents.create(name, done, { origin: { ...origin, live: true }, format: 'extxyz', formatName: 'Labelled structures', columnLabels: LABEL_COLUMN_LABELS });
                context.addOutputDocument(labelled.id);
              } else {
                labelled.append(done);
                services.documents.changed(labelled.id, false);
              }
            }
            if (failed > 0) context.setMessage(`${failed} of ${items.length} structures could not be labelled; first: ${firstError}`);
            context.report(Math.min(items.length, start + batch.length), failed);
            await yieldNow();
          }
        } finally {
          if (labelled) {
            labelled.origin = { ...origin, live: false };
            services.documents.changed(labelled.id, true);
          }
        }
      },
    };
  },
};
