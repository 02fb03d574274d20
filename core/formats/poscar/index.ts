/** VASP POSCAR / CONTCAR (VASP 5 with a species line; VASP 4 without it when symbols can be found). */
import { createStructure, type AtomArray, type Provenance, type Structure } from '../../structure/structure';
import { symbolOf } from '../../structure/elements';
import type { RecordChunk, RecordSplitter, StructureFormat, StructureWriter } from '../format';
import { parsePoscar, type PoscarData } from './parser';

export { parsePoscar, speciesSymbol, type PoscarData } from './parser';

/** Name of the per-atom selective-dynamics flags (true = free along that axis), as ASE's extxyz `move_mask`. */
export const SELECTIVE_DYNAMICS_ARRAY = 'move_mask';

/** A POSCAR is one structure: the whole file is one record. */
export class WholeFileSplitter implements RecordSplitter {
  private lines: string[] = [];
  push(line: string): undefined {
    this.lines.push(this.lines.length === 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line); // drop a byte-order mark
    return undefined;
  }
  end(): RecordChunk | undefined {
    while (this.lines.length > 0 && this.lines[this.lines.length - 1]!.trim() === '') this.lines.pop();
    if (this.lines.length === 0) return undefined;
    const chunk: RecordChunk = { index: 0, firstLine: 1, lines: this.lines };
    this.lines = [];
    return chunk;
  }
}

export function poscarToStructure(data: PoscarData, provenance?: Provenance): Structure {
  const atomArrays: Record<string, AtomArray> = {};
  if (data.selectiveDynamics) atomArrays[SELECTIVE_DYNAMICS_ARRAY] = { kind: 'bool', width: 3, data: data.selectiveDynamics };
  return createStructure({
    name: data.comment,
    numbers: data.numbers,
    positions: data.positions,
    cell: data.cell,
    pbc: [true, true, true],
    atomArrays,
    ...(provenance ? { provenance } : {}),
  });
}

/** Confidence that `head` is a POSCAR: scale line, three vectors, then species or counts. */
export function sniffPoscar(head: string): number {
  const lines = head.split(/\r?\n/, 10);
  if (lines.length < 7) return 0;
  const isNumbers = (line: string | undefined, n: number) => {
    const t = (line ?? '').trim().split(/\s+/);
    return t.length >= n && t.slice(0, n).every((x) => x !== '' && Number.isFinite(Number(x)));
  };
  if (!isNumbers(lines[1], 1) || !isNumbers(lines[2], 3) || !isNumbers(lines[3], 3) || !isNumbers(lines[4], 3)) return 0;
  const sixth = (lines[5] ?? '').trim().split(/\s+/);
  if (sixth.every((t) => /^\d+$/.test(t))) return 0.7;
  if (sixth.every((t) => /^[A-Z][a-z]?/.test(t)) && /^\s*\d+(\s+\d+)*\s*$/.test(lines[6] ?? '')) return 0.9;
  return 0.2;
}

function fixed(x: number): string {
  const s = x.toFixed(16);
  return (x >= 0 ? ' ' : '') + s;
}

/** POSCAR (VASP 5) writer: Cartesian coordinates, species grouped in runs of equal elements, selective dynamics from `move_mask`. */
export function createPoscarWriter(): StructureWriter {
  return {
    write(structure: Structure, index: number): string {
      if (index > 0) throw new RangeError('a POSCAR file holds one structure; write each structure to its own file');
      if (!structure.cell) throw new RangeError('POSCAR needs a unit cell; this structure has none');
      const n = structure.numbers.length;
      const species: string[] = [];
      const counts: number[] = [];
      for (let i = 0; i < n; i++) {
        const symbol = symbolOf(structure.numbers[i]!);
        if (species.length > 0 && species[species.length - 1] === symbol) counts[counts.length - 1]!++;
        else {
          species.push(symbol);
          counts.push(1);
        }
      }
      const mask = structure.atomArrays[SELECTIVE_DYNAMICS_ARRAY];
      const flags = mask && mask.kind === 'bool' && mask.width === 3 ? mask.data : undefined;
      const cell = structure.cell;
      const out = [
        (structure.name || species.map((s, i) => `${s}${counts[i]}`).join('')).replace(/[\r\n]+/g, ' '),
        '1.0',
        ...[0, 1, 2].map((v) => `  ${fixed(cell[3 * v]!)} ${fixed(cell[3 * v + 1]!)} ${fixed(cell[3 * v + 2]!)}`),
        `  ${species.join(' ')}`,
        `  ${counts.join(' ')}`,
        ...(flags ? ['Selective dynamics'] : []),
        'Cartesian',
      ];
      const p = structure.positions;
      for (let i = 0; i < n; i++) {
        let line = `  ${fixed(p[3 * i]!)} ${fixed(p[3 * i + 1]!)} ${fixed(p[3 * i + 2]!)}`;
        if (flags) line += ` ${[0, 1, 2].map((k) => (flags[3 * i + k] ? 'T' : 'F')).join(' ')}`;
        out.push(line);
      }
      return out.join('\n') + '\n';
    },
  };
}

export const poscarFormat: StructureFormat = {
  id: 'poscar',
  name: 'VASP POSCAR/CONTCAR',
  extensions: ['vasp', 'poscar', 'contcar'],
  fileNames: ['POSCAR', 'CONTCAR'],
  sniff: sniffPoscar,
  createSplitter: () => new WholeFileSplitter(),
  parseRecord: (chunk, file) => poscarToStructure(parsePoscar(chunk), { file, format: 'poscar', record: chunk.index, line: chunk.firstLine }),
  createWriter: createPoscarWriter,
};
