/**
 * Predict jobs: a predictor over the structures of open documents, in batches (the shared batch step
 * core/pipeline/predict-batch.ts, as `equimol predict`), one result row per structure (ok or error, in document
 * order). Predicted values are stored in their documents as they arrive, so the table shows them as columns.
 */
import type { DocumentId, PredictJobRequest } from '../../contract/equimol-api';
import { JobCancelledError } from '../../pipeline/cancel';
import { predictRows, type PredictItem } from '../../pipeline/predict-batch';
import { predictorColumns } from '../../pipeline/rows';
import type { PredictionValue } from '../../predict/predictor';
import type { PredictionAtomArray } from '../documents';
import { yieldToEventLoop } from '../job-queue';
import { jobLabel, requestItems, type JobKindHandler } from './job-kind';

export const predictJobKind: JobKindHandler<PredictJobRequest> = {
  kind: 'predict',
  async plan(request, services) {
    // The predictor first: an unknown predictor is the error a caller sees before any document check.
    const predictor = await services.predictors.get(request.predictor);
    const items = requestItems(services, request.docIds, request.indices);
    const columns = predictorColumns(predictor);
    const touched = new Set<DocumentId>();
    return {
      label: jobLabel(predictor.id, services, request.docIds),
      total: items.length,
      unit: 'structures',
      columns,
      exportSuffix: predictor.id,
      async run(context, output) {
        const batchSize = Math.max(1, request.batchSize ?? predictor.batchSize ?? 64);
        try {
          await predictor.prepare?.();
          let done = 0;
          let failed = 0;
          for (let start = 0; start < items.length; start += batchSize) {
            if (context.signal.aborted) throw new JobCancelledError();
            const batch = items.slice(start, start + batchSize);
            const predictItems: PredictItem[] = batch.map((item) => {
              const document = services.documents.get(item.docId);
              const structure = document.structure(item.index);
              const row = document.rows[item.index]!;
              return { place: { file: item.file, record: item.index, line: row.line, formula: row.formula }, structure };
            });
            const rows = await predictRows(predictor, predictItems, context.signal);
            output.addRows(
              rows,
              batch.map((item) => item.docId),
            );
            for (const item of batch) touched.add(item.docId);
            const byDocument = new Map<DocumentId, Array<readonly [number, Readonly<Record<string, PredictionValue>>, Readonly<Record<string, PredictionAtomArray>>?]>>();
            rows.forEach((row, i) => {
              if (row.status !== 'ok') {
                failed++;
                return;
              }
              const item = batch[i]!;
              let entries = byDocument.get(item.docId);
              if (!entries) byDocument.set(item.docId, (entries = []));
              entries.push([item.index, row.values, row.prediction?.atomArrays]);
            });
            for (const [id, entries] of byDocument) {
              services.documents.find(id)?.addPredictions(predictor.id, columns, entries);
              services.documents.changed(id, false);
            }
            done += batch.length;
            context.report(done, failed);
            await yieldToEventLoop();
          }
        } finally {
          for (const id of touched) services.documents.changed(id, true);
        }
      },
    };
  },
};
