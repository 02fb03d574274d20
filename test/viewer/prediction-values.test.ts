// Predictions with their ensemble spread and domain flag (renderer/app/prediction-values.ts) and the choices of the
// "Colour by" menu and the dipole source (renderer/app/atom-coloring.ts), on a real QM9-xTB frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnInfo } from '../../core/contract/equimol-api';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz';
import { atomColorOptions, colorSchemeOf, dipoleSourceOf } from '../../renderer/app/atom-coloring';
import { domainFlags, formatEntry, formatWithSpread, orderWithSpread, valueEntries } from '../../renderer/app/prediction-values';
import { defaultUnitOf } from '../../renderer/app/util/units';
import { REPO_ROOT } from '../helpers/browser';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/viewer/qm9-xtb-3.extxyz');
const frame = readText(readFileSync(FIXTURE, 'utf8'), FIXTURE, extxyzFormat).structures[0]!;
const P = 'model:qm9xtb-properties';

function predicted(key: string, unit: string, kind: ColumnInfo['kind'] = 'number'): ColumnInfo {
  return { key: `${P}:${key}`, label: key, unit, kind, ...(kind === 'vector' ? { width: 3 } : {}), source: P };
}
const columns: ColumnInfo[] = [
  { key: 'gap', label: 'gap', unit: '', kind: 'number', source: 'file' },
  predicted('homo', 'eV'),
  predicted('gap', 'eV'),
  predicted('dipole', 'D', 'vector'),
  predicted('homo_std', 'eV'),
  predicted('gap_std', 'eV'),
  predicted('dipole_std', 'D', 'vector'),
  predicted('in_domain', '', 'string'),
];

test('each <name>_std column follows its value column, other columns keep their order', () => {
  assert.deepEqual(orderWithSpread(columns).map((c) => c.key.replace(`${P}:`, '')), ['gap', 'homo', 'homo_std', 'gap', 'gap_std', 'dipole', 'dipole_std', 'in_domain']);
});

test('a value with a spread reads "value ± spread unit", rounded to the spread', () => {
  assert.equal(formatWithSpread(7.4213, 0.0812), '7.42 ± 0.08');
  assert.equal(formatWithSpread(7.4213, 0.0123), '7.421 ± 0.012');
  assert.equal(formatWithSpread(-512.3, 14), '-512 ± 14');
  const values = { gap: 4.9997, [`${P}:gap`]: 7.4213, [`${P}:gap_std`]: 0.0812, [`${P}:homo`]: -10.8, [`${P}:dipole`]: [-0.71, 2.9, 3.31], [`${P}:dipole_std`]: [0.05, 0.1, 0.07], [`${P}:in_domain`]: 'yes' };
  const entries = valueEntries(columns, values);
  assert.deepEqual(entries.map((e) => e.label), ['gap', 'homo', 'gap', 'dipole'], 'std and in_domain columns are not entries of their own');
  const text = Object.fromEntries(entries.filter((e) => e.source === P).map((e) => [e.label, formatEntry(e)]));
  assert.equal(text['gap'], '7.42 ± 0.08 eV');
  assert.equal(text['homo'], '-10.8 eV', 'no spread column value: the value alone');
  assert.equal(text['dipole'], '[-0.71, 2.90, 3.31] ± [0.05, 0.10, 0.07] D');
  assert.equal(formatEntry(entries[0]!), '4.9997 eV', 'a file column gets its default unit');
  assert.deepEqual(domainFlags(columns, values), []);
});

test("in_domain other than 'yes' is a flag carrying the reason", () => {
  const flags = domainFlags(columns, { [`${P}:in_domain`]: 'unknown element: S' });
  assert.deepEqual(flags, [{ source: P, reason: 'unknown element: S' }]);
  assert.deepEqual(domainFlags(columns, {}), [], 'no value, no flag');
});

test('"Colour by" lists every numeric per-atom array: scalars by value, vectors by norm, with default units', () => {
  const options = atomColorOptions(frame);
  assert.deepEqual(options.map((o) => [o.id, o.unit]), [['|forces|', 'eV/Å'], ['charges', 'e']]);
  assert.deepEqual(colorSchemeOf(options[1]!), { kind: 'property', name: 'charges', norm: false, label: 'charges', unit: 'e' });
  assert.deepEqual(colorSchemeOf(null), { kind: 'element' });
  assert.equal(defaultUnitOf('charges_std'), 'e');
  assert.equal(defaultUnitOf('forces_spread'), 'eV/Å');
  assert.equal(defaultUnitOf('unheard_of'), '');
});

test("the dipole comes from the prediction's dipole column when the row has one, else from the file", () => {
  assert.deepEqual(dipoleSourceOf(frame, {}, columns), { vector: [-0.732023, 2.887424, 3.339855], source: 'file' });
  assert.deepEqual(dipoleSourceOf(frame, { [`${P}:dipole`]: [0.1, 0.2, 0.3] }, columns), { vector: [0.1, 0.2, 0.3], source: P });
  assert.equal(dipoleSourceOf(null, {}, columns), null);
});
