import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnInfo } from '../../core/contract/equimol-api';
import { LIMITS } from '../../core/contract/equimol-api';
import { layoutState } from '../../core/contract/session-checks';
import {
  choiceColumns,
  clampWidth,
  columnGroups,
  columnHash,
  decodePrefs,
  encodePrefs,
  headerLabel,
  isVisible,
  MAX_COLUMN_WIDTH,
  mergeLayout,
  MIN_COLUMN_WIDTH,
  NO_PREFS,
  resetColumns,
  setVisible,
  setWidth,
  showAll,
  visibleColumns,
  widthOf,
  type ChoiceColumn,
} from '../../renderer/app/components/column-choice';

const file = (key: string, unit = '', kind: ColumnInfo['kind'] = 'number'): ColumnInfo => ({ key, label: key, unit, kind, source: 'file' });
const predicted = (source: string, name: string, unit: string): ColumnInfo => ({ key: `${source}:${name}`, label: name, unit, kind: 'number', source });

/** Ten file columns (one a vector), and a predictor's gap with its spread and domain flag. */
const COLUMNS: ColumnInfo[] = [
  ...Array.from({ length: 9 }, (_, i) => file(`p${i}`)),
  file('gap'),
  file('dipole', 'D', 'vector'),
  predicted('model:m', 'gap_std', 'eV'),
  predicted('model:m', 'gap', 'eV'),
  { key: 'model:m:in_domain', label: 'In domain', unit: '', kind: 'string', source: 'model:m' },
];

const keys = (columns: readonly ChoiceColumn[]) => columns.map((c) => c.key);
const byKey = (columns: readonly ChoiceColumn[], key: string) => columns.find((c) => c.key === key)!;

test('the default shows the structure columns, the first 8 file columns and every predicted column (spread after its value), never a vector', () => {
  const columns = choiceColumns(COLUMNS);
  assert.ok(!keys(columns).includes('dipole'));
  assert.deepEqual(keys(visibleColumns(columns, NO_PREFS)), [
    'index', 'name', 'formula', 'atoms',
    'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7',
    'model:m:gap', 'model:m:gap_std', 'model:m:in_domain',
  ]);
  assert.equal(byKey(columns, 'p8').defaultVisible, false);
  assert.equal(byKey(columns, 'gap').defaultVisible, false);
});

test("a conformer ensemble lists its relative energy and weight first among the file's columns", () => {
  const columns = choiceColumns([file('energy', 'eV'), file('relative_energy', 'kcal/mol'), file('boltzmann_weight')], 'conformers');
  assert.deepEqual(keys(columns).slice(4), ['relative_energy', 'boltzmann_weight', 'energy']);
});

test('headers read `label [unit]`, with the default unit of a well-known name when the column has none', () => {
  const columns = choiceColumns(COLUMNS);
  assert.equal(headerLabel(byKey(columns, 'gap')), 'gap [eV]', 'file gap: default unit');
  assert.equal(headerLabel(byKey(columns, 'model:m:gap_std')), 'gap_std [eV]');
  assert.equal(headerLabel(byKey(columns, 'p0')), 'p0', 'no unit, no brackets');
  assert.equal(headerLabel(byKey(columns, 'name')), 'Name');
});

test('columns are grouped by source in table order: structure, file, then each predictor', () => {
  const groups = columnGroups(choiceColumns([...COLUMNS, predicted('geometry', 'rg', 'Å')]));
  assert.deepEqual(
    groups.map((g) => [g.title, g.columns.length]),
    [['Structure', 4], ['From the file', 10], ['Predicted by model:m', 3], ['Predicted by geometry', 1]],
  );
});

test('hiding and showing a column, show all and reset; the name cannot be hidden', () => {
  const columns = choiceColumns(COLUMNS);
  let prefs = setVisible(NO_PREFS, byKey(columns, 'p3'), false);
  prefs = setVisible(prefs, byKey(columns, 'gap'), true);
  prefs = setVisible(prefs, byKey(columns, 'name'), false);
  assert.equal(isVisible(byKey(columns, 'p3'), prefs), false);
  assert.equal(isVisible(byKey(columns, 'gap'), prefs), true);
  assert.equal(isVisible(byKey(columns, 'name'), prefs), true);
  const all = showAll(prefs, columns);
  assert.equal(visibleColumns(columns, all).length, columns.length);
  const reset = resetColumns(setWidth(all, 'p1', 200), columns);
  assert.deepEqual(keys(visibleColumns(columns, reset)), keys(visibleColumns(columns, NO_PREFS)));
  assert.equal(reset.widths.size, 0);
});

test('a choice is keyed by column key: the same column in another document keeps it, reset of one document leaves the others', () => {
  const first = choiceColumns(COLUMNS);
  const other = choiceColumns([file('gap'), file('q')]);
  let prefs = setVisible(NO_PREFS, byKey(first, 'model:m:gap'), false);
  prefs = setVisible(prefs, byKey(other, 'q'), false);
  assert.equal(isVisible(byKey(choiceColumns([predicted('model:m', 'gap', 'eV')]), 'model:m:gap'), prefs), false);
  prefs = resetColumns(prefs, first);
  assert.equal(isVisible(byKey(other, 'q'), prefs), false);
});

test('widths are clamped to [min, max] and never below a column minimum (the name fits a QM9 name)', () => {
  const columns = choiceColumns(COLUMNS);
  assert.equal(clampWidth(3), MIN_COLUMN_WIDTH);
  assert.equal(clampWidth(10_000), MAX_COLUMN_WIDTH);
  assert.equal(clampWidth(Number.NaN), MIN_COLUMN_WIDTH);
  assert.equal(widthOf(byKey(columns, 'p0'), NO_PREFS), 88);
  assert.equal(widthOf(byKey(columns, 'name'), NO_PREFS), undefined, 'the name grows by default');
  assert.equal(widthOf(byKey(columns, 'p0'), setWidth(NO_PREFS, 'p0', 120.4)), 120);
  assert.equal(widthOf(byKey(columns, 'name'), setWidth(NO_PREFS, 'name', 60)), 150);
});

test('prefs survive the layout record: encoded, validated by the settings check, decoded the same', () => {
  const columns = choiceColumns(COLUMNS);
  let prefs = setVisible(NO_PREFS, byKey(columns, 'p8'), true);
  prefs = setVisible(prefs, byKey(columns, 'model:m:in_domain'), false);
  prefs = setWidth(prefs, 'name', 180);
  const layout = mergeLayout({ 'jobs.collapsed': true, 'pane.left': 420 }, prefs);
  assert.doesNotThrow(() => layoutState(layout, 'layout'));
  assert.equal(layout['jobs.collapsed'], true, "other writers' keys survive");
  assert.equal(layout['pane.left'], 420);
  const back = decodePrefs(layout);
  assert.deepEqual([...back.visible], [...prefs.visible]);
  assert.deepEqual([...back.widths], [...prefs.widths]);
  assert.equal(columnHash('p8').length <= 7, true);
  assert.notEqual(columnHash('p8'), columnHash('p9'));
});

test('many choices stay within 64-character values and the entry limit; the newest choices are kept', () => {
  let prefs = NO_PREFS;
  const many = choiceColumns(Array.from({ length: 300 }, (_, i) => file(`column_${i}`)));
  for (const column of many) prefs = setVisible(setWidth(prefs, column.key, 100), column, true);
  const encoded = encodePrefs(prefs);
  for (const value of Object.values(encoded)) assert.ok(value.length <= 64, value);
  const crowded = Object.fromEntries(Array.from({ length: 58 }, (_, i) => [`other.${i}`, i]));
  const layout = mergeLayout(crowded, prefs);
  assert.doesNotThrow(() => layoutState(layout, 'layout'));
  assert.equal(Object.keys(layout).length, LIMITS.maxLayoutEntries);
  const back = decodePrefs(layout);
  const newest = many.at(-1)!;
  assert.equal(isVisible(newest, back), true, 'the last choice made is kept');
  assert.ok(back.visible.size > 0 && back.visible.size < 300, `${back.visible.size} choices kept`);
});

test('malformed layout items are skipped, not thrown on', () => {
  const back = decodePrefs({ 'table.cols.0': '+abc,*bad,-,-zz9', 'table.widths.0': 'abc:120,abc:x,:40,k:9999', 'table.cols.1': 5 });
  assert.deepEqual([...back.visible], [['abc', true], ['zz9', false]]);
  assert.deepEqual([...back.widths], [['abc', 120], ['k', MAX_COLUMN_WIDTH]]);
});

test("a file property keyed like a structure column (the file's `name`) is listed once, as the structure's", () => {
  const columns = choiceColumns([file('name', '', 'string'), file('energy')]);
  assert.deepEqual(keys(columns), ['index', 'name', 'formula', 'atoms', 'energy']);
  assert.equal(byKey(columns, 'name').source, 'structure');
});
