/**
 * SD file writer: V2000 by default, V3000 when forced, when a molecule has more than 999 atoms or bonds,
 * or when a coordinate does not fit the 10-column field. Writes charges (M  CHG + legacy column),
 * isotopes (M  ISO), radicals (M  RAD from the 'radical' atom array) and properties as SD data fields.
 */
import { symbolOf } from '../../structure/elements';
import type { BondOrder, PropertyValue, Structure } from '../../structure/structure';
import type { StructureWriter, WriterOptions } from '../format';

const V2000_LIMIT = 999;
const LEGACY_CODE_OF_CHARGE: Record<number, number> = { 3: 1, 2: 2, 1: 3, 0: 0, [-1]: 5, [-2]: 6, [-3]: 7 };

function bondTypeOf(order: BondOrder): number {
  switch (order) {
    case 1: return 1;
    case 2: return 2;
    case 3: return 3;
    case 1.5: return 4;
    default: return 8; // 'any': no molfile code for dative / quadruple / unknown
  }
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width, ' ');
}

function formatValue(value: PropertyValue): string {
  if (Array.isArray(value)) return value.map(String).join(' ');
  return String(value);
}

function symbolFor(z: number): string {
  return z === 0 ? 'R' : symbolOf(z);
}

function headerLines(structure: Structure): string {
  const title = structure.name.replace(/[\r\n]+/g, ' ').slice(0, 80);
  return `${title}\n${'  Equimol'.padEnd(20, ' ')}3D\n\n`;
}

function radicalsOf(structure: Structure): ArrayLike<number> | undefined {
  const array = structure.atomArrays.radical;
  return array && array.kind === 'int' && array.width === 1 ? array.data : undefined;
}

function propertyBlock(structure: Structure, keys: readonly string[] | undefined): string {
  let out = '';
  for (const key of keys ?? Object.keys(structure.properties)) {
    const value = structure.properties[key];
    if (value === undefined) continue;
    const text = formatValue(value).replace(/\r\n?/g, '\n').replace(/\n\s*\n/g, '\n');
    out += `> <${key}>\n${text}\n\n`;
  }
  return out;
}

/** Groups 'atom value' pairs into M  XXX lines of at most 8 entries. */
function propertyLines(tag: string, entries: Array<[number, number]>): string {
  let out = '';
  for (let s = 0; s < entries.length; s += 8) {
    const part = entries.slice(s, s + 8);
    out += `M  ${tag}${pad(part.length, 3)}${part.map(([a, v]) => pad(a, 4) + pad(v, 4)).join('')}\n`;
  }
  return out;
}

function needsV3000(structure: Structure): boolean {
  const n = structure.numbers.length;
  if (n > V2000_LIMIT || (structure.bonds?.length ?? 0) > V2000_LIMIT) return true;
  for (let i = 0; i < structure.positions.length; i++) {
    const v = structure.positions[i]!;
    if (v >= 99999.99995 || v <= -9999.99995) return true;
  }
  return false;
}

export function writeV2000(structure: Structure, propertyKeys?: readonly string[]): string {
  const n = structure.numbers.length;
  const bonds = structure.bonds ?? [];
  const charges = structure.formalCharges;
  const isotopes = structure.isotopes;
  const radicals = radicalsOf(structure);
  const parts: string[] = [headerLines(structure), `${pad(n, 3)}${pad(bonds.length, 3)}  0  0  0  0  0  0  0  0999 V2000\n`];
  const p = structure.positions;
  const chg: Array<[number, number]> = [], iso: Array<[number, number]> = [], rad: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const q = charges ? charges[i]! : 0;
    const code = LEGACY_CODE_OF_CHARGE[q] ?? 0;
    if (q !== 0) chg.push([i + 1, q]);
    if (isotopes && isotopes[i]! !== 0) iso.push([i + 1, isotopes[i]!]);
    if (radicals && radicals[i]! !== 0) rad.push([i + 1, radicals[i]!]);
    parts.push(
      `${pad(p[3 * i]!.toFixed(4), 10)}${pad(p[3 * i + 1]!.toFixed(4), 10)}${pad(p[3 * i + 2]!.toFixed(4), 10)} ${symbolFor(structure.numbers[i]!).padEnd(3, ' ')} 0${pad(code, 3)}  0  0  0  0  0  0  0  0  0  0\n`,
    );
  }
  for (const bond of bonds) parts.push(`${pad(bond.a + 1, 3)}${pad(bond.b + 1, 3)}${pad(bondTypeOf(bond.order), 3)}  0\n`);
  parts.push(propertyLines('CHG', chg), propertyLines('ISO', iso), propertyLines('RAD', rad), 'M  END\n');
  parts.push(propertyBlock(structure, propertyKeys), '$$$$\n');
  return parts.join('');
}

/** V3000 lines are at most 80 characters: longer ones continue on the next line after a '-'. */
function v30(text: string): string {
  let out = '';
  let rest = text;
  while (rest.length > 72) {
    out += `M  V30 ${rest.slice(0, 72)}-\n`;
    rest = rest.slice(72);
  }
  return `${out}M  V30 ${rest}\n`;
}

export function writeV3000(structure: Structure, propertyKeys?: readonly string[]): string {
  const n = structure.numbers.length;
  const bonds = structure.bonds ?? [];
  const charges = structure.formalCharges;
  const isotopes = structure.isotopes;
  const radicals = radicalsOf(structure);
  const p = structure.positions;
  const parts: string[] = [headerLines(structure), '  0  0  0     0  0            999 V3000\n'];
  parts.push(v30('BEGIN CTAB'), v30(`COUNTS ${n} ${bonds.length} 0 0 0`), v30('BEGIN ATOM'));
  for (let i = 0; i < n; i++) {
    let line = `${i + 1} ${symbolFor(structure.numbers[i]!)} ${p[3 * i]!.toFixed(6)} ${p[3 * i + 1]!.toFixed(6)} ${p[3 * i + 2]!.toFixed(6)} 0`;
    if (charges && charges[i]! !== 0) line += ` CHG=${charges[i]}`;
    if (radicals && radicals[i]! !== 0) line += ` RAD=${radicals[i]}`;
    if (isotopes && isotopes[i]! !== 0) line += ` MASS=${isotopes[i]}`;
    parts.push(v30(line));
  }
  parts.push(v30('END ATOM'));
  if (bonds.length > 0) {
    parts.push(v30('BEGIN BOND'));
    bonds.forEach((bond, k) => parts.push(v30(`${k + 1} ${bondTypeOf(bond.order)} ${bond.a + 1} ${bond.b + 1}`)));
    parts.push(v30('END BOND'));
  }
  parts.push(v30('END CTAB'), 'M  END\n', propertyBlock(structure, propertyKeys), '$$$$\n');
  return parts.join('');
}

export function createSdfWriter(options: WriterOptions = {}): StructureWriter {
  return {
    write(structure: Structure): string {
      return options.v3000 || needsV3000(structure) ? writeV3000(structure, options.properties) : writeV2000(structure, options.properties);
    },
  };
}
