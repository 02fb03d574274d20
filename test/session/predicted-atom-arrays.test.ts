import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Prediction, Predictor } from '../../core/predict/predictor';
import type { Structure } from '../../core/structure/structure';
import { EquimolSession } from '../../core/session/session';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drugsBytes = new Uint8Array(readFileSync(join(root, 'assets/examples/drugs.sdf')));

/** A per-atom predictor: "charge" = atomic number / 10 and a width-3 vector per atom; fails on record 3. */
const perAtomPredictor: Predictor = {
  id: 'per-atom-test',
  description: 'per-atom outputs for the session test',
  columns: [{ key: 'n', label: 'atoms', unit: '', kind: 'number' }],
  batchSize: 4,
  async predict(batch: readonly Structure[]): Promise<ReadonlyArray<Prediction | Error>> {
    return batch.map((s) => {
      if (s.name === 'ibuprofen') return new Error('refused for the test');
      return {
        values: { n: s.numbers.length },
        atomArrays: {
          charges: { width: 1, data: Float64Array.from(s.numbers, (z) => z / 10) },
          vectors: { width: 3, data: new Float64Array(3 * s.numbers.length).fill(0.5) },
        },
      };
    });
  },
};

test("a predict job's per-atom outputs appear on the document's structures as predictor:name arrays, beside the file's", async () => {
  const session = new EquimolSession({ predictors: [perAtomPredictor] });
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const before = await session.getStructure(doc.id, 0);
  assert.equal(before.atomArrays['per-atom-test:charges'], undefined);
  const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'per-atom-test' });
  const final = await session.whenJobFinished(job.id);
  assert.equal(final.state, 'done');
  const names: string[] = [];
  for (let i = 0; i < doc.recordCount; i++) {
    const s = await session.getStructure(doc.id, i);
    names.push(s.name);
    const charges = s.atomArrays['per-atom-test:charges'];
    if (s.name === 'ibuprofen') {
      assert.equal(charges, undefined, 'an error row adds no arrays');
      continue;
    }
    assert.ok(charges && charges.kind === 'float' && charges.width === 1, `record ${i + 1}`);
    assert.deepEqual(Array.from(charges.data), Array.from(s.numbers, (z) => z / 10));
    assert.equal(s.atomArrays['per-atom-test:vectors']?.width, 3);
    for (const [key, a] of Object.entries(before.atomArrays)) if (i === 0) assert.equal(s.atomArrays[key], a, `file array ${key} kept`);
  }
  assert.ok(names.includes('ibuprofen'), 'drugs.sdf holds the record the predictor refuses');
});
