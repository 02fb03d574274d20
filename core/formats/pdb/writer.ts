/**
 * PDB writer: one MODEL per structure (when writing more than one is possible, every record is wrapped in
 * MODEL/ENDMDL), ATOM/HETATM with residue data from the atom arrays the reader fills (defaults otherwise),
 * CRYST1 from the cell, CONECT for bonds that touch HETATM atoms (all bonds when no residue data exist).
 */
import { symbolOf } from '../../structure/elements';
import { cellParameters } from '../../structure/cell';
import type { AtomArray, Structure } from '../../structure/structure';
import type { StructureWriter } from '../format';

function text(array: AtomArray | undefined, i: number, fallback: string): string {
  return array && array.kind === 'string' ? (array.data[i] ?? fallback) : fallback;
}

function num(array: AtomArray | undefined, i: number, fallback: number): number {
  return array && (array.kind === 'int' || array.kind === 'float' || array.kind === 'bool') ? Number(array.data[i]) : fallback;
}

function f(value: number, width: number, digits: number): string {
  return value.toFixed(digits).padStart(width, ' ');
}

function atomName(name: string, symbol: string): string {
  if (name.length >= 4) return name.slice(0, 4);
  // Convention: one-letter elements start in column 14.
  return symbol.length === 1 ? ` ${name}`.padEnd(4, ' ') : name.padEnd(4, ' ');
}

function chargeText(q: number): string {
  if (q === 0) return '  ';
  return `${Math.min(9, Math.abs(q))}${q > 0 ? '+' : '-'}`;
}

export function writePdbModel(structure: Structure, modelNumber?: number): string {
  const out: string[] = [];
  const arrays = structure.atomArrays;
  if (structure.cell) {
    const { a, b, c, alpha, beta, gamma } = cellParameters(structure.cell);
    const group = typeof structure.properties.spaceGroup === 'string' ? structure.properties.spaceGroup : 'P 1';
    out.push(`CRYST1${f(a, 9, 3)}${f(b, 9, 3)}${f(c, 9, 3)}${f(alpha, 7, 2)}${f(beta, 7, 2)}${f(gamma, 7, 2)} ${group.padEnd(11, ' ')}   1\n`);
  }
  if (modelNumber !== undefined) out.push(`MODEL     ${String(modelNumber).padStart(4, ' ')}\n`);
  const n = structure.numbers.length;
  const hasResidues = arrays.residueName !== undefined;
  for (let i = 0; i < n; i++) {
    const symbol = structure.numbers[i] === 0 ? 'X' : symbolOf(structure.numbers[i]!);
    const hetero = hasResidues ? num(arrays.hetero, i, 0) !== 0 : true;
    const serial = (i + 1) % 100000;
    const name = atomName(text(arrays.atomName, i, symbol), symbol);
    const resName = text(arrays.residueName, i, 'MOL').slice(0, 3).padStart(3, ' ');
    const chain = text(arrays.chainId, i, 'A').slice(0, 1).padEnd(1, ' ');
    const resSeq = num(arrays.residueNumber, i, 1) % 10000;
    const iCode = text(arrays.insertionCode, i, '').slice(0, 1).padEnd(1, ' ');
    const altLoc = text(arrays.altLoc, i, '').slice(0, 1).padEnd(1, ' ');
    const occupancy = num(arrays.occupancy, i, 1);
    const bFactor = num(arrays.bFactor, i, 0);
    const q = structure.formalCharges?.[i] ?? 0;
    const p = structure.positions;
    out.push(
      `${hetero ? 'HETATM' : 'ATOM  '}${String(serial).padStart(5, ' ')} ${name}${altLoc}${resName} ${chain}${String(resSeq).padStart(4, ' ')}${iCode}   ` +
        `${f(p[3 * i]!, 8, 3)}${f(p[3 * i + 1]!, 8, 3)}${f(p[3 * i + 2]!, 8, 3)}${f(occupancy, 6, 2)}${f(bFactor, 6, 2)}          ` +
        `${symbol.toUpperCase().padStart(2, ' ')}${chargeText(q)}\n`,
    );
  }
  if (structure.bonds && n < 100000) {
    const partners: number[][] = Array.from({ length: n }, () => []);
    for (const bond of structure.bonds) {
      const heteroBond = !hasResidues || num(arrays.hetero, bond.a, 0) !== 0 || num(arrays.hetero, bond.b, 0) !== 0;
      if (!heteroBond) continue;
      partners[bond.a]!.push(bond.b + 1);
      partners[bond.b]!.push(bond.a + 1);
    }
    partners.forEach((list, i) => {
      for (let s = 0; s < list.length; s += 4) {
        out.push(`CONECT${String(i + 1).padStart(5, ' ')}${list.slice(s, s + 4).map((j) => String(j).padStart(5, ' ')).join('')}\n`);
      }
    });
  }
  out.push(modelNumber !== undefined ? 'ENDMDL\n' : 'END\n');
  return out.join('');
}

/** Each structure becomes MODEL k ... ENDMDL; the file ends with END. */
export function createPdbWriter(): StructureWriter {
  return {
    write(structure: Structure, index: number): string {
      return writePdbModel(structure, index + 1);
    },
    end(): string {
      return 'END\n';
    },
  };
}
