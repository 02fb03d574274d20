/**
 * Which columns the structure table shows and how wide they are: the columns a document offers (grouped by
 * source: the structure's own, the file's, each predictor's), the default choice (the structure columns, the
 * first 8 file columns and every predicted one), the user's overrides keyed by column key, and their encoding in
 * Settings.layout (whose values are strings of at most 64 characters: overrides and widths are stored as short
 * hashes of the column keys, comma-joined over a few numbered entries). Pure (no React, no DOM): tested in Node.
 */
import type { ColumnInfo, LayoutState } from '../../../core/contract/equimol-api';
import { LIMITS } from '../../../core/contract/equimol-api';
import { baseName } from '../atom-coloring';
import { orderWithSpread } from '../prediction-values';
import { defaultUnitOf } from '../util/units';

/** Source of the columns every document has (#, name, formula, atoms). */
export const STRUCTURE_SOURCE = 'structure';
/** File columns shown before the user chooses (as many as fit a 400 px panel scrolled a little). */
export const DEFAULT_FILE_COLUMNS = 8;
export const MIN_COLUMN_WIDTH = 40;
export const MAX_COLUMN_WIDTH = 800;
/** Wide enough for a QM9 name ('dsgdb9nsd_0000001') in the 12 px UI font, with the cell's padding. */
export const NAME_MIN_WIDTH = 150;

export interface ChoiceColumn {
  readonly key: string;
  readonly label: string;
  /** The column's unit, or the default unit of its name ('gap' -> 'eV'); '' when it has none. */
  readonly unit: string;
  /** STRUCTURE_SOURCE, 'file' or a predictor id. */
  readonly source: string;
  readonly numeric: boolean;
  readonly defaultVisible: boolean;
  /** A column that cannot be hidden (the name). */
  readonly locked: boolean;
  /** Default width in px; absent: the column grows to fill (at least minWidth). */
  readonly width?: number;
  readonly minWidth?: number;
}

const STRUCTURE_COLUMNS: readonly ChoiceColumn[] = [
  { key: 'index', label: '#', unit: '', source: STRUCTURE_SOURCE, numeric: true, defaultVisible: true, locked: false, width: 48 },
  { key: 'name', label: 'Name', unit: '', source: STRUCTURE_SOURCE, numeric: false, defaultVisible: true, locked: true, minWidth: NAME_MIN_WIDTH },
  { key: 'formula', label: 'Formula', unit: '', source: STRUCTURE_SOURCE, numeric: false, defaultVisible: true, locked: false, width: 96 },
  { key: 'atoms', label: 'Atoms', unit: '', source: STRUCTURE_SOURCE, numeric: true, defaultVisible: true, locked: false, width: 56 },
];

/** The header text: `label [unit]`, or the label alone for a column without a unit. */
export function headerLabel(column: Pick<ChoiceColumn, 'label' | 'unit'>): string {
  return column.unit ? `${column.label} [${column.unit}]` : column.label;
}

/**
 * Every column the table can show for a document with these columns, in table order: the structure columns,
 * then the scalar file and predicted columns (an ensemble's relative energy and weight first, `<name>_std` right
 * after `<name>`). Vector columns are left out (the table shows scalars), and so is a column keyed like a structure column.
 */
export function choiceColumns(columns: readonly ColumnInfo[], originKind?: string): ChoiceColumn[] {
  const first = originKind === 'conformers' ? ['relative_energy', 'boltzmann_weight'] : [];
  const rank = (key: string) => (first.includes(key) ? first.indexOf(key) : first.length);
  // A file property named like a structure column ('name') shows the same thing: it is listed once, as the structure's.
  const taken = new Set(STRUCTURE_COLUMNS.map((c) => c.key));
  const scalars = [...columns]
    .sort((a, b) => rank(a.key) - rank(b.key))
    .filter((c) => (c.kind === 'number' || c.kind === 'string' || c.kind === 'boolean') && !taken.has(c.key));
  const defaultFile = new Set(scalars.filter((c) => c.source === 'file').slice(0, DEFAULT_FILE_COLUMNS).map((c) => c.key));
  const ordered = orderWithSpread([...scalars.filter((c) => c.source === 'file'), ...scalars.filter((c) => c.source !== 'file')]);
  return [
    ...STRUCTURE_COLUMNS,
    ...ordered.map((c) => ({
      key: c.key,
      label: c.label,
      unit: c.unit || defaultUnitOf(baseName(c.key, c.source)),
      source: c.source,
      numeric: c.kind === 'number',
      defaultVisible: c.source !== 'file' || defaultFile.has(c.key),
      locked: false,
      width: 88,
    })),
  ];
}

export interface ColumnGroup {
  readonly source: string;
  readonly title: string;
  readonly columns: readonly ChoiceColumn[];
}

/** The columns grouped by source, in first-appearance order: 'Structure', 'From the file', 'Predicted by <id>'. */
export function columnGroups(columns: readonly ChoiceColumn[]): ColumnGroup[] {
  const groups = new Map<string, ChoiceColumn[]>();
  for (const column of columns) {
    const list = groups.get(column.source) ?? [];
    list.push(column);
    groups.set(column.source, list);
  }
  const titleOf = (source: string) => (source === STRUCTURE_SOURCE ? 'Structure' : source === 'file' ? 'From the file' : `Predicted by ${source}`);
  return [...groups].map(([source, list]) => ({ source, title: titleOf(source), columns: list }));
}

/** 32-bit FNV-1a of the key in base 36 (at most 7 characters): how the layout record names a column. */
export function columnHash(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** The user's choices by column hash, oldest first (Map order): shown or hidden, and width in px. */
export interface ColumnPrefs {
  readonly visible: ReadonlyMap<string, boolean>;
  readonly widths: ReadonlyMap<string, number>;
}

export const NO_PREFS: ColumnPrefs = { visible: new Map(), widths: new Map() };

export function isVisible(column: ChoiceColumn, prefs: ColumnPrefs): boolean {
  if (column.locked) return true;
  return prefs.visible.get(columnHash(column.key)) ?? column.defaultVisible;
}

/** The columns to show, in table order. */
export function visibleColumns(columns: readonly ChoiceColumn[], prefs: ColumnPrefs): ChoiceColumn[] {
  return columns.filter((c) => isVisible(c, prefs));
}

/** A re-set entry moves to the end of the map (the newest, the last to be dropped when the layout is full). */
function withEntries<T>(map: ReadonlyMap<string, T>, entries: readonly (readonly [string, T | undefined])[]): Map<string, T> {
  const next = new Map(map);
  for (const [key, value] of entries) {
    next.delete(key);
    if (value !== undefined) next.set(key, value);
  }
  return next;
}

export function setVisible(prefs: ColumnPrefs, column: ChoiceColumn, visible: boolean): ColumnPrefs {
  if (column.locked) return prefs;
  return { ...prefs, visible: withEntries(prefs.visible, [[columnHash(column.key), visible]]) };
}

/** Every column of the list shown. */
export function showAll(prefs: ColumnPrefs, columns: readonly ChoiceColumn[]): ColumnPrefs {
  return { ...prefs, visible: withEntries(prefs.visible, columns.filter((c) => !c.locked).map((c) => [columnHash(c.key), true] as const)) };
}

/** The default choice and widths back for the columns of the list (other documents' columns keep theirs). */
export function resetColumns(prefs: ColumnPrefs, columns: readonly ChoiceColumn[]): ColumnPrefs {
  const hashes = columns.map((c) => [columnHash(c.key), undefined] as const);
  return { visible: withEntries(prefs.visible, hashes), widths: withEntries(prefs.widths, hashes) };
}

export function clampWidth(width: number): number {
  if (!Number.isFinite(width)) return MIN_COLUMN_WIDTH;
  return Math.round(Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, width)));
}

export function setWidth(prefs: ColumnPrefs, key: string, width: number): ColumnPrefs {
  return { ...prefs, widths: withEntries(prefs.widths, [[columnHash(key), clampWidth(width)]]) };
}

/** The width the user gave the column, else its default (undefined: it grows). */
export function widthOf(column: ChoiceColumn, prefs: ColumnPrefs): number | undefined {
  const chosen = prefs.widths.get(columnHash(column.key));
  return chosen === undefined ? column.width : Math.max(chosen, column.minWidth ?? MIN_COLUMN_WIDTH);
}

/** Layout entries: `table.cols.<n>` ('+hash' shown, '-hash' hidden) and `table.widths.<n>` ('hash:px'). */
const VISIBLE_PREFIX = 'table.cols.';
const WIDTH_PREFIX = 'table.widths.';
const VISIBLE_ENTRIES = 8;
const WIDTH_ENTRIES = 6;
const VALUE_LENGTH = 64;

/** Comma-joined items in at most `entries` strings of VALUE_LENGTH characters, keeping the newest (last) items. */
function chunk(items: readonly string[], entries: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (let i = items.length - 1; i >= 0 && chunks.length < entries; i--) {
    const item = items[i]!;
    const next = current === '' ? item : `${item},${current}`;
    if (next.length <= VALUE_LENGTH) current = next;
    else {
      chunks.unshift(current);
      current = chunks.length < entries ? item : '';
    }
  }
  if (current !== '' && chunks.length < entries) chunks.unshift(current);
  return chunks;
}

/** The prefs as layout entries (the oldest choices are dropped when they do not fit). */
export function encodePrefs(prefs: ColumnPrefs): Record<string, string> {
  const out: Record<string, string> = {};
  chunk([...prefs.visible].map(([h, v]) => `${v ? '+' : '-'}${h}`), VISIBLE_ENTRIES).forEach((value, i) => (out[`${VISIBLE_PREFIX}${i}`] = value));
  chunk([...prefs.widths].map(([h, w]) => `${h}:${w}`), WIDTH_ENTRIES).forEach((value, i) => (out[`${WIDTH_PREFIX}${i}`] = value));
  return out;
}

const HASH = /^[0-9a-z]{1,7}$/;

/** The prefs kept in a layout record; malformed items (another version, hand edits) are skipped. */
export function decodePrefs(layout: LayoutState): ColumnPrefs {
  const visible = new Map<string, boolean>();
  const widths = new Map<string, number>();
  const entries = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => layout[`${prefix}${i}`])
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => v.split(','));
  for (const item of entries(VISIBLE_PREFIX, VISIBLE_ENTRIES)) {
    const hash = item.slice(1);
    if ((item[0] === '+' || item[0] === '-') && HASH.test(hash)) {
      visible.delete(hash);
      visible.set(hash, item[0] === '+');
    }
  }
  for (const item of entries(WIDTH_PREFIX, WIDTH_ENTRIES)) {
    const [hash = '', px = ''] = item.split(':');
    const width = Number(px);
    if (HASH.test(hash) && /^\d+$/.test(px)) {
      widths.delete(hash);
      widths.set(hash, clampWidth(width));
    }
  }
  return { visible, widths };
}

/**
 * The layout record with this module's entries replaced by `prefs` and every other key kept; entries that would
 * take the record past LIMITS.maxLayoutEntries are left out (widths first, then the oldest choices).
 */
export function mergeLayout(current: LayoutState, prefs: ColumnPrefs): LayoutState {
  const others = Object.entries(current).filter(([key]) => !key.startsWith(VISIBLE_PREFIX) && !key.startsWith(WIDTH_PREFIX));
  const room = Math.max(0, LIMITS.maxLayoutEntries - others.length);
  const mine = Object.entries(encodePrefs(prefs));
  const visible = mine.filter(([key]) => key.startsWith(VISIBLE_PREFIX));
  const widths = mine.filter(([key]) => key.startsWith(WIDTH_PREFIX));
  // Chunks are newest-last: keep the last ones (the newest choices) when trimming.
  const keepVisible = visible.slice(Math.max(0, visible.length - room));
  const keepWidths = widths.slice(Math.max(0, widths.length - (room - keepVisible.length)));
  const renumber = (list: readonly (readonly [string, string])[], prefix: string) => list.map(([, value], i) => [`${prefix}${i}`, value] as const);
  return Object.fromEntries([...others, ...renumber(keepVisible, VISIBLE_PREFIX), ...renumber(keepWidths, WIDTH_PREFIX)]);
}
