import type { AtomArray, PropertyValue, Structure } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import type { StructureWriter, WriterOptions } from '../format';

/** Keys the writer produces itself; properties with these names are not written again. */
const RESERVED_KEYS = new Set(['Lattice', 'Properties', 'pbc']);

/**
 * Text that reads back to exactly the same double. Fast path: when x is exactly (as a double) some integer m
 * divided by 1e8, print m's digits with a decimal point (reading 'm/1e8' back gives the correctly rounded
 * m / 1e8, which is x). Otherwise JavaScript's shortest round-trip String(x).
 */
export function formatNumber(x: number): string {
  const m = Math.round(x * 1e8);
  if (m / 1e8 === x && m > -9e15 && m < 9e15 && m !== 0) {
    const a = m < 0 ? -m : m;
    const whole = Math.floor(a / 1e8);
    const fraction = a - whole * 1e8;
    const sign = m < 0 ? '-' : '';
    if (fraction === 0) return sign + String(whole);
    let digits = String(fraction);
    digits = '00000000'.slice(digits.length) + digits;
    let end = 8;
    while (digits.charCodeAt(end - 1) === 48) end--;
    return `${sign}${whole}.${digits.slice(0, end)}`;
  }
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0 && 1 / x < 0) return '-0.0';
  return String(x);
}

/** Quotes a key or value when it holds spaces, quotes, brackets, '=' or backslashes (ASE's escape, plus backslash). */
export function escapeValue(text: string): string {
  if (text === '' || /[\s"'{}[\]=\\]/.test(text)) return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return text;
}

function valueToText(value: PropertyValue): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'string') return value;
  if (value.length > 0 && value.every((v) => typeof v === 'string')) return `_JSON ${JSON.stringify(value)}`;
  return (value as ReadonlyArray<number | boolean>).map((v) => (typeof v === 'boolean' ? (v ? 'T' : 'F') : formatNumber(v))).join(' ');
}

const TYPE_CODE: Record<AtomArray['kind'], string> = { float: 'R', int: 'I', bool: 'L', string: 'S' };

function arrayCell(array: AtomArray, i: number): string {
  switch (array.kind) {
    case 'float':
      return formatNumber(array.data[i]!);
    case 'int':
      return String(array.data[i]!);
    case 'bool':
      return array.data[i] ? 'T' : 'F';
    case 'string': {
      const s = array.data[i] ?? '';
      return s === '' ? '_' : s.replace(/\s+/g, '_');
    }
  }
}

/** The extended-XYZ comment line for a structure (Lattice, Properties, per-frame values, pbc). */
export function extxyzComment(structure: Structure, arrays: ReadonlyArray<[string, AtomArray]>, options?: WriterOptions): string {
  const parts: string[] = [];
  if (structure.cell) parts.push(`Lattice="${Array.from(structure.cell, formatNumber).join(' ')}"`);
  const columns = ['species:S:1', 'pos:R:3', ...arrays.map(([name, a]) => `${name}:${TYPE_CODE[a.kind]}:${a.width}`)];
  parts.push(`Properties=${columns.join(':')}`);
  const keys = options?.properties ?? Object.keys(structure.properties);
  if (structure.name !== '' && !('name' in structure.properties)) parts.push(`name=${escapeValue(structure.name)}`);
  // Total charge and multiplicity travel as per-frame values (the reader sets them back from these keys).
  if (structure.charge !== 0 && !('charge' in structure.properties)) parts.push(`charge=${formatNumber(structure.charge)}`);
  if (structure.multiplicity !== 1 && !('multiplicity' in structure.properties)) parts.push(`multiplicity=${formatNumber(structure.multiplicity)}`);
  for (const key of keys) {
    const value = structure.properties[key];
    if (value === undefined || RESERVED_KEYS.has(key) || key.trim() === '') continue;
    parts.push(`${escapeValue(key)}=${escapeValue(valueToText(value))}`);
  }
  parts.push(`pbc="${structure.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);
  return parts.join(' ');
}

/** Per-atom arrays that can be written as extra columns (names without ':' or whitespace, not species/pos/Z). */
export function writableArrays(structure: Structure): Array<[string, AtomArray]> {
  return Object.entries(structure.atomArrays).filter(([name, a]) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) && !['species', 'pos', 'Z'].includes(name) && a.width >= 1);
}

/** Extended XYZ writer: ASE reads the result back with the same cell, pbc, per-frame values and per-atom columns. */
export function createExtxyzWriter(options?: WriterOptions): StructureWriter {
  return {
    write(structure: Structure): string {
      const arrays = writableArrays(structure);
      const n = structure.numbers.length;
      const out: string[] = [String(n), extxyzComment(structure, arrays, options)];
      const p = structure.positions;
      for (let i = 0; i < n; i++) {
        let line = `${symbolOf(structure.numbers[i]!)} ${formatNumber(p[3 * i]!)} ${formatNumber(p[3 * i + 1]!)} ${formatNumber(p[3 * i + 2]!)}`;
        for (const [, array] of arrays) {
          for (let k = 0; k < array.width; k++) line += ` ${arrayCell(array, i * array.width + k)}`;
        }
        out.push(line);
      }
      return out.join('\n') + '\n';
    },
  };
}
