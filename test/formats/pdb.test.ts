import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../core/formats/read-text';
import { pdbFormat, inferElement, parsePdbModel } from '../../core/formats/pdb';
import { atomicNumberOf } from '../../core/structure/elements';
import { FormatError } from '../../core/structure/errors';
import type { AtomArray, Structure } from '../../core/structure/structure';
import { readFixture, readFromTarGz, sharedExamplesAvailable, sharedExamplesTar } from '../chem/shared-examples';

interface AseModel { symbols: string[]; positions: number[][]; cell: number[][]; pbc: boolean[]; occupancy: number[]; bfactor: number[] }
interface RdkitModel {
  numbers: number[]; charges: number[]; atomNames: string[]; residueNames: string[]; residueNumbers: number[];
  chains: string[]; occupancies: number[]; bFactors: number[]; altLocs: string[]; positions: number[][];
}

function strings(array: AtomArray | undefined): string[] {
  assert.ok(array && array.kind === 'string');
  return [...array.data];
}

function numbersOf(array: AtomArray | undefined): number[] {
  assert.ok(array && array.kind !== 'string');
  return Array.from(array.data as ArrayLike<number>);
}

function assertPositions(s: Structure, positions: number[][], label: string): void {
  assert.equal(s.numbers.length, positions.length, `${label}: atom count`);
  positions.forEach((p, i) => p.forEach((v, k) => assert.ok(Math.abs(s.positions[3 * i + k]! - v) <= 1e-6, `${label}: atom ${i + 1}`)));
}

test('two MODELs with altlocs, ions, charges, CRYST1 and CONECT match RDKit and ASE', () => {
  const ref = JSON.parse(readFixture('pdb/models-altloc.reference.json')) as { models: AseModel[]; rdkit: RdkitModel[] };
  const { structures, errors } = readText(readFixture('pdb/models-altloc.pdb'), 'models-altloc.pdb', pdbFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 2);
  structures.forEach((s, m) => {
    const rd = ref.rdkit[m]!;
    const label = `model ${m + 1}`;
    // RDKit keeps the first alternate location (here also the highest occupancy, 0.60 vs 0.40).
    assert.deepEqual(Array.from(s.numbers), rd.numbers, `${label}: elements (CA in ALA is carbon, CA in CA calcium)`);
    assertPositions(s, rd.positions, label);
    assert.deepEqual(Array.from(s.formalCharges!), rd.charges, `${label}: charges from columns 79-80`);
    assert.deepEqual(strings(s.atomArrays.atomName), rd.atomNames);
    assert.deepEqual(strings(s.atomArrays.residueName), rd.residueNames);
    assert.deepEqual(numbersOf(s.atomArrays.residueNumber), rd.residueNumbers);
    assert.deepEqual(strings(s.atomArrays.chainId), rd.chains);
    numbersOf(s.atomArrays.occupancy).forEach((o, i) => assert.ok(Math.abs(o - rd.occupancies[i]!) < 1e-9));
    numbersOf(s.atomArrays.bFactor).forEach((b, i) => assert.ok(Math.abs(b - rd.bFactors[i]!) < 1e-4));
    assert.deepEqual(strings(s.atomArrays.altLoc), rd.altLocs.map((a) => a.trim()));
    // ASE keeps both altlocs; compare the cell and the atoms without the dropped B location.
    const ase = ref.models[m]!;
    const keep = ase.symbols.map((_, i) => i !== 5); // atom 6 is CB altloc B (occupancy 0.40)
    assert.deepEqual(ase.symbols.filter((_, i) => keep[i]).map((sym) => atomicNumberOf(sym)), Array.from(s.numbers));
    assertPositions(s, ase.positions.filter((_, i) => keep[i]), `${label} vs ASE`);
    // ASE 3.22 applies CRYST1 only to the first MODEL; the PDB format means it for every model.
    ref.models[0]!.cell.flat().forEach((v, k) => assert.ok(Math.abs(s.cell![k]! - v) < 1e-9, `cell component ${k}`));
    assert.deepEqual(s.pbc, ref.models[0]!.pbc);
    assert.equal(s.properties.model, m + 1);
    // CONECT bonds of the ligand (C1-O1, C1-N1), perceived bonds in the alanine (N-CA, CA-C, C-O, CA-CB).
    const bonds = s.bonds!.map((b) => `${b.a}-${b.b}`).sort();
    assert.deepEqual(bonds, ['0-1', '1-2', '1-4', '2-3', '8-10', '8-9'].sort());
  });
});

test('receptor_1.pdb (no element columns): elements, residues and perceived bonds match RDKit, coordinates match ASE', { skip: !sharedExamplesAvailable() && 'shared datasets not present' }, () => {
  const ref = JSON.parse(readFixture('pdb/shared-receptor_1.reference.json')) as {
    ase: { positions: number[][] }; rdkit: { numbers: number[]; residueNames: string[]; residueNumbers: number[]; atomNames: string[]; nBondsProximity: number };
  };
  const { structures, errors } = readText(readFromTarGz(sharedExamplesTar, 'receptor_1.pdb'), 'receptor_1.pdb', pdbFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 1);
  const s = structures[0]!;
  assert.deepEqual(Array.from(s.numbers), ref.rdkit.numbers);
  assertPositions(s, ref.ase.positions, 'receptor');
  assert.deepEqual(strings(s.atomArrays.residueName), ref.rdkit.residueNames);
  assert.deepEqual(numbersOf(s.atomArrays.residueNumber), ref.rdkit.residueNumbers);
  assert.deepEqual(strings(s.atomArrays.atomName), ref.rdkit.atomNames);
  assert.equal(s.bonds!.length, ref.rdkit.nBondsProximity, 'covalent-radius bonds, same count as RDKit proximity bonding');
  assert.equal(s.cell, undefined);
});

test('element inference from atom names follows the PDB column convention', () => {
  assert.equal(inferElement(' CA ', 'ALA', false), 6);
  assert.equal(inferElement('CA  ', 'ALA', false), 6, 'left-justified CA in a standard residue is still carbon');
  assert.equal(inferElement('CA  ', 'CA', true), 20);
  assert.equal(inferElement(' CA ', 'CA', true), 20, 'an ion named like its residue');
  assert.equal(inferElement('ZN  ', 'ZN', true), 30);
  assert.equal(inferElement('CL1 ', 'LIG', true), 17);
  assert.equal(inferElement('HG12', 'VAL', false), 1);
  assert.equal(inferElement('1HB ', 'ALA', false), 1);
  assert.equal(inferElement('H12 ', 'LIG', true), 1);
  assert.equal(inferElement(' SD ', 'MET', false), 16);
  assert.equal(inferElement('FE  ', 'HEM', true), 26);
});

test('errors name the file line: short ATOM record, bad coordinate, bad charge, bad CRYST1', () => {
  const lines = readFixture('pdb/models-altloc.pdb').split('\n');
  const check = (row: number, replacement: string, pattern: RegExp) => {
    const mutated = [...lines];
    mutated[row] = replacement;
    const { errors } = readText(mutated.join('\n'), 'bad.pdb', pdbFormat);
    assert.ok(errors.length >= 1, `error for ${pattern}`);
    assert.equal(errors[0]!.line, row + 1);
    assert.match(errors[0]!.message, pattern);
  };
  check(4, 'ATOM      2  CA  ALA A   1       2.458', /too short/);
  check(4, 'ATOM      2  CA  ALA A   1       2.4x8   2.000   3.000  1.00 11.00           C', /x coordinate/);
  check(4, 'ATOM      2  CA  ALA A   1       2.458   2.000   3.000  1.00 11.00           CX9', /formal charge/);
  check(1, 'CRYST1   20.000   25.000   30.000  90.00 195.00 120.00 P 1           1', /angle/);
  assert.throws(() => parsePdbModel(['REMARK nothing'], 7), (e: unknown) => e instanceof FormatError && e.line === 7);
});

test('writer round trip keeps elements, coordinates, residues, charges, cell and CONECT bonds', () => {
  const original = readText(readFixture('pdb/models-altloc.pdb'), 'models-altloc.pdb', pdbFormat).structures;
  const writer = pdbFormat.createWriter!();
  const text = original.map((s, i) => writer.write(s, i)).join('') + writer.end!();
  const again = readText(text, 'roundtrip.pdb', pdbFormat);
  assert.deepEqual(again.errors, []);
  assert.equal(again.structures.length, 2);
  again.structures.forEach((s, m) => {
    const o = original[m]!;
    assert.deepEqual(Array.from(s.numbers), Array.from(o.numbers));
    assert.deepEqual(Array.from(s.positions), Array.from(o.positions));
    assert.deepEqual(Array.from(s.formalCharges!), Array.from(o.formalCharges!));
    assert.deepEqual(strings(s.atomArrays.residueName), strings(o.atomArrays.residueName));
    assert.deepEqual(strings(s.atomArrays.atomName), strings(o.atomArrays.atomName));
    s.cell!.forEach((v, k) => assert.ok(Math.abs(v - o.cell![k]!) < 2e-3));
    assert.deepEqual(s.bonds!.map((b) => `${b.a}-${b.b}`).sort(), o.bonds!.map((b) => `${b.a}-${b.b}`).sort());
  });
});

test('sniff recognises PDB text', () => {
  assert.ok(pdbFormat.sniff(readFixture('pdb/models-altloc.pdb')) > 0.8);
  assert.equal(pdbFormat.sniff('3\ncomment\nC 0 0 0\n'), 0);
});
