/**
 * Per-structure values with their ensemble spread and domain flag, for the properties panel and the table:
 * a column `<name>_std` belongs to `<name>` of the same source ("gap 7.42 ± 0.08 eV"), and a column `in_domain`
 * other than 'yes' names why the model does not know the structure. Pure (no React), so it is tested in Node.
 */
import type { ColumnInfo, SummaryValue } from '../../core/contract/equimol-api';
import { baseName } from './atom-coloring';
import { formatNumber, formatValue } from './util/format';
import { defaultUnitOf } from './util/units';

/** Name of the domain column an ensemble writes: 'yes' inside what it knows, else the reason. */
export const IN_DOMAIN = 'in_domain';
const STD_SUFFIX = '_std';

export interface ValueEntry {
  readonly key: string;
  /** Base name ('gap'). */
  readonly label: string;
  readonly value: SummaryValue;
  /** The `<name>_std` value, when the row has one. */
  readonly std?: SummaryValue;
  readonly unit: string;
  /** 'file' or the predictor id. */
  readonly source: string;
}

export interface DomainFlag {
  readonly source: string;
  readonly reason: string;
}

function unitOf(column: ColumnInfo): string {
  return column.unit || defaultUnitOf(baseName(column.key, column.source));
}

function isStdOf(column: ColumnInfo, byKey: ReadonlyMap<string, ColumnInfo>): boolean {
  return column.key.endsWith(STD_SUFFIX) && byKey.has(column.key.slice(0, -STD_SUFFIX.length));
}

function isDomainColumn(column: ColumnInfo): boolean {
  return baseName(column.key, column.source) === IN_DOMAIN;
}

/** The columns with each `<name>_std` moved right after `<name>` (other columns keep their order). */
export function orderWithSpread(columns: readonly ColumnInfo[]): ColumnInfo[] {
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const out: ColumnInfo[] = [];
  for (const column of columns) {
    if (isStdOf(column, byKey)) continue;
    out.push(column);
    const std = byKey.get(column.key + STD_SUFFIX);
    if (std) out.push(std);
  }
  return out;
}

/** Values of a row (columns with a value, in column order), each with its spread; `in_domain` columns are left out. */
export function valueEntries(columns: readonly ColumnInfo[], values: Readonly<Record<string, SummaryValue>>): ValueEntry[] {
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const entries: ValueEntry[] = [];
  for (const column of columns) {
    if (isStdOf(column, byKey) || isDomainColumn(column)) continue;
    const value = values[column.key];
    if (value === undefined || value === null) continue;
    const std = values[column.key + STD_SUFFIX];
    entries.push({
      key: column.key,
      label: baseName(column.key, column.source),
      value,
      ...(std !== undefined && std !== null ? { std } : {}),
      unit: unitOf(column),
      source: column.source,
    });
  }
  return entries;
}

/** Every `in_domain` value of the row that is not 'yes' (one per predictor), with its reason. */
export function domainFlags(columns: readonly ColumnInfo[], values: Readonly<Record<string, SummaryValue>>): DomainFlag[] {
  const flags: DomainFlag[] = [];
  for (const column of columns) {
    if (!isDomainColumn(column)) continue;
    const value = values[column.key];
    if (value === undefined || value === null || value === 'yes' || value === true) continue;
    flags.push({ source: column.source, reason: value === false ? 'outside the domain' : formatValue(value) });
  }
  return flags;
}

/** Decimals that show `std` to 1 significant digit (2 when it starts with a 1: 0.012 -> 3). */
function decimalsFor(std: number): number {
  if (!(std > 0) || !Number.isFinite(std)) return 3;
  const exponent = Math.floor(Math.log10(std));
  const lead = Math.floor(std / 10 ** exponent);
  return Math.max(0, -exponent + (lead === 1 ? 1 : 0));
}

/** '7.42 ± 0.08', rounded to the spread's precision. */
export function formatWithSpread(value: number, std: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(std)) return `${formatNumber(value)} ± ${formatNumber(std)}`;
  const decimals = Math.min(12, decimalsFor(Math.abs(std)));
  return `${value.toFixed(decimals)} ± ${Math.abs(std).toFixed(decimals)}`;
}

/** An entry as text: 'value ± std unit' (vectors component-wise, '[a, b, c] ± [sa, sb, sc] D'). */
export function formatEntry(entry: ValueEntry): string {
  const unit = entry.unit ? ` ${entry.unit}` : '';
  const { value, std } = entry;
  if (typeof value === 'number' && typeof std === 'number') return `${formatWithSpread(value, std)}${unit}`;
  if (Array.isArray(value) && Array.isArray(std) && std.length === value.length) {
    const parts = value.map((v, i) => formatWithSpread(Number(v), Number(std[i])).split(' ± '));
    return `[${parts.map((p) => p[0]).join(', ')}] ± [${parts.map((p) => p[1]).join(', ')}]${unit}`;
  }
  const text = formatValue(value);
  return std === undefined ? `${text}${unit}` : `${text} ± ${formatValue(std)}${unit}`;
}
