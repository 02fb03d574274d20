import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnInfo, ColumnValues } from '../../core/contract/equimol-api';
import { binOf, extent, fitAxisTitle, histogramBins, nearestPoint, niceTicks, pairedPoints, parityMetrics, parityPairs } from '../../renderer/app/components/plots/plot-math';
import { seededRandom } from '../../core/util/seeded-random';

const random = seededRandom;

test('histogram bins count every finite value once, span min to max, and skip nulls and NaN', () => {
  const next = random(7);
  const values: (number | null)[] = Array.from({ length: 1000 }, () => 2 + 3 * next());
  values.push(null, NaN, Infinity);
  const bins = histogramBins(values);
  assert.equal(bins.n, 1000);
  assert.equal(bins.counts.reduce((a, b) => a + b, 0), 1000);
  assert.equal(bins.edges.length, bins.counts.length + 1);
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  assert.equal(bins.edges[0], Math.min(...finite));
  assert.equal(bins.edges.at(-1), Math.max(...finite));
  assert.ok(bins.counts.length >= 5 && bins.counts.length <= 80);
  // Each value's bin holds it.
  for (const v of finite.slice(0, 50)) {
    const b = binOf(bins, v);
    assert.ok(v >= bins.edges[b]! && v <= bins.edges[b + 1]!, `${v} in bin ${b}`);
  }
  assert.equal(binOf(bins, null), -1);
  assert.equal(binOf(bins, 100), -1);
  assert.deepEqual(histogramBins([4, 4, 4]), { edges: [3.5, 4.5], counts: [3], n: 3 });
  assert.deepEqual(histogramBins([null]), { edges: [], counts: [], n: 0 });
});

test('ticks are round steps inside the range', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-2105.3, -1020.8, 4), [-2000, -1500]);
  assert.deepEqual(niceTicks(0.013, 0.048, 3), [0.02, 0.04]);
  assert.deepEqual(niceTicks(0.013, 0.048, 6), [0.02, 0.03, 0.04]);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

test('paired points keep only records with numbers in both columns, with their record index', () => {
  const values: ColumnValues = { docId: 'd', index: [0, 1, 2, 3], values: { a: [1, null, 3, 4], b: [10, 20, NaN, 40] } };
  const p = pairedPoints(values, 'a', 'b');
  assert.deepEqual(Array.from(p.index), [0, 3]);
  assert.deepEqual(Array.from(p.x), [1, 4]);
  assert.deepEqual(Array.from(p.y), [10, 40]);
  // The nearest point within the radius, in screen pixels.
  const toX = (x: number) => x * 10;
  const toY = (y: number) => 100 - y;
  assert.equal(nearestPoint(p, toX, toY, 38, 62, 5), 1);
  assert.equal(nearestPoint(p, toX, toY, 20, 50, 5), -1);
});

test('parity metrics: MAE, RMSE and R² of predictions against labels', () => {
  const label = [1, 2, 3, 4];
  const prediction = [1.5, 2, 2, 4.5];
  const m = parityMetrics(label, prediction);
  assert.equal(m.n, 4);
  assert.equal(m.mae, (0.5 + 0 + 1 + 0.5) / 4);
  assert.ok(Math.abs(m.rmse - Math.sqrt((0.25 + 0 + 1 + 0.25) / 4)) < 1e-15);
  // SS_res = 1.5, SS_tot = 5 around the mean 2.5.
  assert.ok(Math.abs(m.r2 - (1 - 1.5 / 5)) < 1e-15);
  assert.equal(parityMetrics([1, 2], [1, 2]).r2, 1);
  assert.ok(Number.isNaN(parityMetrics([2, 2], [1, 3]).r2), 'labels that do not vary have no R²');
  assert.deepEqual(extent([]), [0, 1]);
});

test("prediction columns pair with the file's column of the same quantity, spreads and unlabelled ones do not", () => {
  const col = (key: string, source: string, label = key): ColumnInfo => ({ key, label, unit: source === 'file' ? '' : 'eV', kind: 'number', source });
  const model = 'model:tiny-qm9xtb-properties-3';
  const columns: ColumnInfo[] = [
    col('gap', 'file'),
    col('HOMO', 'file'),
    col('energy', 'file'),
    { ...col('smiles', 'file'), kind: 'string' },
    col(`${model}:gap`, model, 'gap'),
    col(`${model}:gap_std`, model, 'gap_std'),
    col(`${model}:homo`, model, 'homo'),
    col(`${model}:dipole_norm`, model, 'dipole_norm'),
    col('geometry:radius_of_gyration', 'geometry', 'radius_of_gyration'),
  ];
  assert.deepEqual(
    parityPairs(columns).map((p) => [p.prediction.key, p.label.key]),
    [
      [`${model}:gap`, 'gap'],
      [`${model}:homo`, 'HOMO'],
    ],
  );
});

test('an axis title that does not fit keeps its start and its end (the unit) around an ellipsis; one that fits is unchanged', () => {
  const title = 'model:qm9xtb-properties:gap [eV] (predicted)';
  assert.equal(fitAxisTitle('gap [eV]', 200), 'gap [eV]');
  const fitted = fitAxisTitle(title, 160);
  assert.ok(fitted.length <= Math.floor(160 / 6.4), fitted);
  assert.ok(fitted.startsWith('model:qm9') && fitted.endsWith('(predicted)') && fitted.includes('…'), fitted);
  assert.equal(fitAxisTitle(title, 10), '…');
});
