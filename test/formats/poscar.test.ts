import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from '../../core/formats/read-text';
import { poscarFormat } from '../../core/formats/poscar/index';
import { cellVolume } from '../../core/structure/cell';
import { symbolOf } from '../../core/structure/elements';
import { repoRoot } from './datasets-stream';
import { fuzzFormat } from './xyz-cif-poscar-fuzz';

const fixtureDir = join(repoRoot, 'test', 'fixtures', 'poscar');
const ase = JSON.parse(readFileSync(join(fixtureDir, 'ase-read.json'), 'utf8')) as Record<
  string,
  { symbols: string[]; positions: number[][]; cell: number[][]; pbc: boolean[]; move_mask?: boolean[][] }
>;
const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.vasp')).sort();

test('every ASE-written POSCAR fixture has an ASE reference', () => {
  assert.deepEqual(files, Object.keys(ase).sort());
  assert.ok(files.length >= 6);
});

for (const file of files) {
  test(`${file} reads like ASE reads it: symbols, cell, positions (1e-6 Å), selective dynamics`, () => {
    const { structures, errors } = readText(readFileSync(join(fixtureDir, file), 'utf8'), file, poscarFormat);
    assert.deepEqual(errors, []);
    assert.equal(structures.length, 1);
    const s = structures[0]!;
    const ref = ase[file]!;
    assert.deepEqual(Array.from(s.numbers, symbolOf), ref.symbols);
    ref.cell.flat().forEach((v, i) => assert.ok(Math.abs(s.cell![i]! - v) < 1e-9, `cell ${i}`));
    ref.positions.flat().forEach((v, i) => assert.ok(Math.abs(s.positions[i]! - v) < 1e-6, `position ${i}: ${s.positions[i]} vs ${v}`));
    assert.deepEqual([...s.pbc], [true, true, true]);
    const mask = s.atomArrays['move_mask'];
    if (ref.move_mask) {
      assert.equal(mask?.kind, 'bool');
      assert.deepEqual(Array.from(mask!.data as Uint8Array, (b) => b === 1), ref.move_mask.flat());
    } else {
      assert.equal(mask, undefined);
    }
  });
}

test('POSCAR writer output reads back to the same structure (positions 1e-12 Å, flags, species runs)', () => {
  for (const file of files) {
    const original = readText(readFileSync(join(fixtureDir, file), 'utf8'), file, poscarFormat).structures[0]!;
    const text = poscarFormat.createWriter!().write(original, 0);
    const { structures, errors } = readText(text, 'written', poscarFormat);
    assert.deepEqual(errors, []);
    const back = structures[0]!;
    assert.deepEqual(Array.from(back.numbers), Array.from(original.numbers), file);
    back.positions.forEach((v, i) => assert.ok(Math.abs(v - original.positions[i]!) < 1e-12, `${file} position ${i}`));
    back.cell!.forEach((v, i) => assert.ok(Math.abs(v - original.cell![i]!) < 1e-12, `${file} cell ${i}`));
    assert.deepEqual(back.atomArrays['move_mask'], original.atomArrays['move_mask']);
  }
  assert.throws(() => poscarFormat.createWriter!().write({ ...readText('H\n1\n1 0 0\n0 1 0\n0 0 1\nH\n1\nDirect\n0 0 0\n', 'x', poscarFormat).structures[0]!, cell: undefined }, 0), /needs a unit cell/);
});

test('a negative scale factor is the cell volume, three factors scale each axis, Cartesian coordinates scale too', () => {
  const lines = (scale: string, mode: string) => ['Si2', scale, '1 0 0', '0 1 0', '0 0 2', 'Si', '2', mode, '0 0 0', '0.5 0.5 0.5'].join('\n');
  const byVolume = readText(lines('-128', 'Direct'), 'v', poscarFormat).structures[0]!;
  assert.ok(Math.abs(cellVolume(byVolume.cell!) - 128) < 1e-9);
  assert.ok(Math.abs(byVolume.cell![0]! - 4) < 1e-12);
  assert.deepEqual(Array.from(byVolume.positions.slice(3)).map((x) => Math.round(x * 1e9) / 1e9), [2, 2, 4]);
  const perAxis = readText(lines('2 3 4', 'cartesian'), 'p', poscarFormat).structures[0]!;
  assert.deepEqual(Array.from(perAxis.cell!), [2, 0, 0, 0, 3, 0, 0, 0, 8]);
  assert.deepEqual(Array.from(perAxis.positions.slice(3)), [1, 1.5, 2]);
});

test('VASP 4 without species line takes symbols from the comment line; POTCAR names like Fe_pv are understood', () => {
  const vasp4 = readText(['Fe O', '1.0', '3 0 0', '0 3 0', '0 0 3', '1 2', 'Direct', '0 0 0', '0.5 0.5 0', '0.5 0 0.5'].join('\n'), 'POSCAR', poscarFormat);
  assert.deepEqual(Array.from(vasp4.structures[0]!.numbers), [26, 8, 8]);
  const potcar = readText(['x', '1.0', '3 0 0', '0 3 0', '0 0 3', 'Fe_pv O_s', '1 1', 'Direct', '0 0 0', '0.5 0.5 0'].join('\n'), 'CONTCAR', poscarFormat);
  assert.deepEqual(Array.from(potcar.structures[0]!.numbers), [26, 8]);
  const unknown = readText(['no symbols here', '1.0', '3 0 0', '0 3 0', '0 0 3', '1', 'Direct', '0 0 0'].join('\n'), 'POSCAR', poscarFormat);
  assert.equal(unknown.errors.length, 1);
  assert.match(unknown.errors[0]!.message, /VASP 4 file without element symbols/);
});

test('POSCAR errors name the line: bad lattice number, missing atoms, bad selective flag', () => {
  const base = ['Si', '1.0', '5 0 0', '0 5 0', '0 0 5', 'Si', '2', 'Selective dynamics', 'Direct', '0 0 0 T T F', '0.25 0.25 0.25 T T T'];
  const badLattice = [...base];
  badLattice[3] = '0 5x 0';
  assert.equal(readText(badLattice.join('\n'), 'p', poscarFormat).errors[0]!.line, 4);
  assert.equal(readText(base.slice(0, 10).join('\n'), 'p', poscarFormat).errors[0]!.line, 10);
  const badFlag = [...base];
  badFlag[10] = '0.25 0.25 0.25 T X T';
  const error = readText(badFlag.join('\n'), 'p', poscarFormat).errors[0]!;
  assert.equal(error.line, 11);
  assert.match(error.message, /selective dynamics flag 'X'/);
});

test('sniffing recognises the POSCAR layout (VASP 5 and VASP 4) and rejects XYZ', () => {
  assert.ok(poscarFormat.sniff(readFileSync(join(fixtureDir, 'nacl-cubic-cartesian.vasp'), 'utf8')) >= 0.9);
  assert.ok(poscarFormat.sniff(readFileSync(join(fixtureDir, 'cuau-vasp4.vasp'), 'utf8')) >= 0.7);
  assert.equal(poscarFormat.sniff('3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n'), 0);
});

test('2000 mutants of each of two POSCARs raise only line-numbered FormatErrors, quickly', () => {
  for (const [i, file] of ['pt111-selective-dynamics.vasp', 'cuau-vasp4.vasp'].entries()) {
    const summary = fuzzFormat(poscarFormat, readFileSync(join(fixtureDir, file), 'utf8'), 2000, 10 + i);
    assert.ok(summary.errors > 100 && summary.structures > 100, `${file}: ${JSON.stringify(summary)}`);
    assert.ok(summary.ms < 60_000);
  }
});

test('the registry picks POSCAR for POSCAR/CONTCAR names and .vasp files, by content for an unnamed file', async () => {
  const { detectFormat, formatById } = await import('../../core/formats/registry');
  const text = readFileSync(join(fixtureDir, 'si-primitive-direct.vasp'), 'utf8');
  for (const name of ['/runs/7/POSCAR', 'CONTCAR', 'relax/CONTCAR.gz', 'si.vasp', 'POSCAR_relaxed.poscar']) assert.equal(detectFormat(name, text).id, 'poscar', name);
  assert.equal(detectFormat('untitled', text).id, 'poscar');
  assert.equal(formatById('poscar'), poscarFormat);
});

test('a CONTCAR with a velocity block after the positions reads the positions and ignores the rest', () => {
  const contcar = ['Cu2', '   1.00000000000000', '     3.6 0 0', '     0 3.6 0', '     0 0 3.6', '   Cu', '     2', 'Direct', '  0.0 0.0 0.0', '  0.5 0.5 0.0', '', '  0.1E-02 0.2E-02 0.3E-02', '  -0.1E-02 -0.2E-02 -0.3E-02', ''].join('\n');
  const { structures, errors } = readText(contcar, 'CONTCAR', poscarFormat);
  assert.deepEqual(errors, []);
  assert.deepEqual(Array.from(structures[0]!.positions), [0, 0, 0, 1.8, 1.8, 0]);
  assert.equal(structures[0]!.name, 'Cu2');
});

test('ASE reads our POSCAR writer output to the same cell, positions (1e-9 Å), species and selective dynamics', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'equimol-poscar-'));
  try {
    const originals = files.map((file) => readText(readFileSync(join(fixtureDir, file), 'utf8'), file, poscarFormat).structures[0]!);
    const paths = originals.map((s, i) => {
      const path = join(dir, `POSCAR-${i}`);
      writeFileSync(path, poscarFormat.createWriter!().write(s, 0));
      return path;
    });
    const script = [
      'import json, sys, ase.io',
      'import numpy as np',
      'from ase.constraints import FixAtoms, FixScaled',
      'out = []',
      'for path in sys.argv[1:]:',
      "    a = ase.io.read(path, format='vasp')",
      '    mask = np.ones((len(a), 3), dtype=bool)',
      '    for c in a.constraints:',
      '        if isinstance(c, FixAtoms): mask[c.index] = False',
      '        elif isinstance(c, FixScaled): mask[c.a] = ~np.asarray(c.mask)',
      "    out.append(dict(symbols=a.get_chemical_symbols(), positions=a.positions.tolist(), cell=a.cell.array.tolist(), mask=mask.tolist(), constrained=bool(a.constraints)))",
      'print(json.dumps(out))',
    ].join('\n');
    const result = spawnSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const ase = JSON.parse(result.stdout) as Array<{ symbols: string[]; positions: number[][]; cell: number[][]; mask: boolean[][]; constrained: boolean }>;
    ase.forEach((a, i) => {
      const s = originals[i]!;
      assert.deepEqual(a.symbols, Array.from(s.numbers, symbolOf));
      a.cell.flat().forEach((v, k) => assert.ok(Math.abs(v - s.cell![k]!) < 1e-9));
      a.positions.flat().forEach((v, k) => assert.ok(Math.abs(v - s.positions[k]!) < 1e-9, `${files[i]} position ${k}`));
      const mask = s.atomArrays['move_mask'];
      assert.equal(a.constrained, mask !== undefined && Array.from(mask.data as Uint8Array).some((b) => b === 0));
      if (mask) assert.deepEqual(a.mask.flat(), Array.from(mask.data as Uint8Array, (b) => b === 1));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
