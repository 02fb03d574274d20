import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readText } from '../../core/formats/read-text';
import { cifFormat, mmcifFormat, parseSymmetryOperation, expandSites, sniffCif, sniffMmcif } from '../../core/formats/cif/index';
import { cartesianToFractional, cellParameters as cellParametersOf } from '../../core/structure/cell';
import { symbolOf } from '../../core/structure/elements';
import type { Structure } from '../../core/structure/structure';
import { datasetsDir, repoRoot } from './datasets-stream';
import { fuzzFormat } from './xyz-cif-poscar-fuzz';

const fixtureDir = join(repoRoot, 'test', 'fixtures', 'cif');

/** Files of a .tar.gz archive (ustar), read in the test: the CIFs stay in the shared folder. */
export function readTarGz(path: string): Map<string, string> {
  const data = gunzipSync(readFileSync(path));
  const files = new Map<string, string>();
  let offset = 0;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');
    const name = field(345, 155) ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, data.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

interface AseCrystal {
  symbols: string[];
  positions: number[][];
  cell: number[][];
  pbc: boolean[];
  spacegroup?: { number: number; symbol: string };
}

/** Positions compared as sets: every atom of ours has an ASE atom of the same element at the same place modulo the lattice. */
function assertSameCrystal(s: Structure, ase: AseCrystal, label: string) {
  assert.equal(s.numbers.length, ase.symbols.length, `${label}: atom count`);
  assert.deepEqual(Array.from(s.numbers, symbolOf).sort(), [...ase.symbols].sort(), `${label}: symbols`);
  ase.cell.flat().forEach((v, i) => assert.ok(Math.abs(s.cell![i]! - v) < 1e-9, `${label}: cell ${i}`));
  assert.deepEqual([...s.pbc], ase.pbc);
  const cell = s.cell!;
  const ours = cartesianToFractional(s.positions, cell);
  const theirs = cartesianToFractional(ase.positions.flat(), cell);
  const used = new Set<number>();
  for (let i = 0; i < s.numbers.length; i++) {
    let match = -1;
    for (let j = 0; j < ase.symbols.length; j++) {
      if (used.has(j) || ase.symbols[j] !== symbolOf(s.numbers[i]!)) continue;
      // Cartesian distance to the nearest periodic image.
      const d = [0, 1, 2].map((k) => {
        const x = ours[3 * i + k]! - theirs[3 * j + k]!;
        return x - Math.round(x);
      });
      const cart = [0, 1, 2].map((k) => d[0]! * cell[k]! + d[1]! * cell[3 + k]! + d[2]! * cell[6 + k]!);
      if (Math.hypot(cart[0]!, cart[1]!, cart[2]!) < 1e-6) {
        match = j;
        break;
      }
    }
    assert.ok(match >= 0, `${label}: atom ${i} (${symbolOf(s.numbers[i]!)}) has no ASE counterpart within 1e-6 Å`);
    used.add(match);
  }
}

const aseCif = JSON.parse(readFileSync(join(fixtureDir, 'ase-read.json'), 'utf8')) as Record<string, AseCrystal | AseCrystal[]>;
const cgcnn = readTarGz(join(datasetsDir, 'cif_fixtures_cgcnn', 'cgcnn_cod_cifs.tar.gz'));

test('the cgcnn archive holds 10 COD CIFs and ASE references exist for each', () => {
  const names = [...cgcnn.keys()].filter((n) => n.endsWith('.cif'));
  assert.equal(names.length, 10);
  for (const name of names) assert.ok(aseCif[`cgcnn/${name.split('/').pop()}`], name);
});

for (const [name, text] of [...cgcnn.entries()].filter(([n]) => n.endsWith('.cif')).sort()) {
  const key = `cgcnn/${name.split('/').pop()}`;
  test(`${key}: symmetry expansion gives ASE's atom count, elements, cell and positions (as sets, 1e-6 Å)`, () => {
    const { structures, errors } = readText(text, key, cifFormat);
    assert.deepEqual(errors, []);
    assert.equal(structures.length, 1);
    const ase = aseCif[key] as AseCrystal;
    assertSameCrystal(structures[0]!, ase, key);
    if (ase.spacegroup && ase.spacegroup.number !== 1) assert.equal(structures[0]!.properties['spaceGroupNumber'], ase.spacegroup.number);
    assert.equal(structures[0]!.name, key.slice(6, -4));
  });
}

test('ASE-written CIFs (P1, quoted formula, symop loop) read like ASE reads them', () => {
  for (const name of ['ase-written-rutile.cif', 'ase-written-triclinic.cif', 'ase-written-diamond.cif']) {
    const { structures, errors } = readText(readFileSync(join(fixtureDir, name), 'utf8'), name, cifFormat);
    assert.deepEqual(errors, []);
    assertSameCrystal(structures[0]!, aseCif[name] as AseCrystal, name);
  }
});

test('hand-written CIF: two data blocks, symop_operation_xyz, mixed occupancy, su, text fields, quotes match ASE', () => {
  const name = 'handwritten-rutile-mixed.cif';
  const { structures, errors } = readText(readFileSync(join(fixtureDir, name), 'utf8'), name, cifFormat);
  assert.deepEqual(errors, []);
  const ase = aseCif[name] as AseCrystal[];
  assert.equal(structures.length, 2);
  structures.forEach((s, i) => assertSameCrystal(s, ase[i]!, `${name} block ${i}`));
  const rutile = structures[0]!;
  assert.equal(rutile.name, 'TiV_O2_rutile');
  assert.equal(rutile.properties['spaceGroup'], 'P 42/m n m');
  assert.equal(rutile.properties['spaceGroupNumber'], 136);
  assert.equal(rutile.properties['symmetryOperations'], 16);
  // The mixed site keeps the majority element (Ti) and its occupancy, like ASE.
  const occupancy = rutile.atomArrays['occupancy'];
  assert.equal(occupancy?.kind, 'float');
  assert.deepEqual(Array.from(rutile.numbers), [22, 22, 8, 8, 8, 8]);
  assert.deepEqual(Array.from(occupancy!.data as Float64Array), [0.9, 0.9, 1, 1, 1, 1]);
  assert.deepEqual(rutile.atomArrays['siteLabel']?.data, ['Ti1', 'Ti1', 'O1', 'O1', 'O1', 'O1']);
  const text = readFileSync(join(fixtureDir, name), 'utf8');
  assert.equal(structures[1]!.provenance?.line, text.split('\n').indexOf('data_second_block_quartz_P1') + 1);
});

test('symmetry operations in all the usual spellings parse to rotation + translation', () => {
  assert.deepEqual(parseSymmetryOperation('x,y,z'), { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] });
  assert.deepEqual(parseSymmetryOperation("'-x+1/2, y, -z'"), { rotation: [-1, 0, 0, 0, 1, 0, 0, 0, -1], translation: [0.5, 0, 0] });
  assert.deepEqual(parseSymmetryOperation('1/2+X,-Y,z+0.25'), { rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1], translation: [0.5, 0, 0.25] });
  assert.deepEqual(parseSymmetryOperation('x-y,x,z+5/6'), { rotation: [1, -1, 0, 1, 0, 0, 0, 0, 1], translation: [0, 0, 5 / 6] });
  assert.deepEqual(parseSymmetryOperation('+x,-y+3/4,1/4-z').translation, [0, 0.75, 0.25]);
  assert.throws(() => parseSymmetryOperation('x,y'), /three/);
  assert.throws(() => parseSymmetryOperation('x,y,w'), /cannot read/);
});

test('expansion merges sites that coincide under periodic wrap (1e-3 fractional, as ASE)', () => {
  const ops = ['x,y,z', '-x,-y,-z', 'x+1/2,y+1/2,z'].map(parseSymmetryOperation);
  const { positions, kinds } = expandSites(Float64Array.of(0, 0, 0, 0.25, 0.25, 0.9996), ops);
  // (0,0,0) and its inversion coincide; (0.25,0.25,0.9996) inverts to (0.75,0.75,0.0004), which is within
  // 1e-3 of the translated copy (0.75,0.75,0.9996) across the periodic boundary, so only 4 sites remain.
  assert.deepEqual(Array.from(kinds), [0, 0, 1, 1]);
  assert.equal(positions.length, 12);
  assert.deepEqual(Array.from(positions.slice(6, 9)).map((x) => Math.round(x * 1e4) / 1e4), [0.25, 0.25, 0.9996]);
  assert.deepEqual(Array.from(positions.slice(9, 12)).map((x) => Math.round(x * 1e4) / 1e4), [0.75, 0.75, 0.0004]);
  for (const x of positions) assert.ok(x >= 0 && x < 1);
});

test('CIF errors name the line: bad symmetry operation, ragged loop, non-numeric coordinate, no atoms', () => {
  const base = ['data_x', '_cell_length_a 3', '_cell_length_b 3', '_cell_length_c 3', '_cell_angle_alpha 90', '_cell_angle_beta 90', '_cell_angle_gamma 90', 'loop_', '_symmetry_equiv_pos_as_xyz', "'x,y,z'", "'-x,-y,q'", 'loop_', '_atom_site_label', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z', 'Na1 0 0 0', 'Cl1 0.5 0.5 0.5'];
  const badOp = readText(base.join('\n'), 'x.cif', cifFormat);
  assert.equal(badOp.errors[0]!.line, 11);
  assert.match(badOp.errors[0]!.message, /cannot read 'q'/);
  const ragged = [...base];
  ragged[10] = "'-x,-y,-z'";
  ragged[17] = 'Cl1 0.5 0.5';
  assert.equal(readText(ragged.join('\n'), 'x.cif', cifFormat).errors[0]!.line, 18);
  const badCoordinate = [...base];
  badCoordinate[10] = "'-x,-y,-z'";
  badCoordinate[16] = 'Na1 0 zero 0';
  const error = readText(badCoordinate.join('\n'), 'x.cif', cifFormat).errors[0]!;
  assert.equal(error.line, 17);
  assert.match(error.message, /'zero' is not a number/);
  const noAtoms = readText('data_empty\n_cell_length_a 3\n', 'x.cif', cifFormat).errors[0]!;
  assert.equal(noAtoms.line, 1);
  assert.match(noAtoms.message, /no atom sites/);
});

const proteins = readTarGz(join(datasetsDir, 'protein_ligand_examples', 'protein_ligand_examples.tar.gz'));
const crambin = proteins.get('protein_ligand_examples/1crn.cif')!;

test('mmCIF 1crn (crambin): 327 atoms of 46 residues with coordinates equal to the text; sniffing picks mmcif', () => {
  assert.ok(sniffMmcif(crambin.slice(0, 60000)) > sniffCif(crambin.slice(0, 60000)));
  const atomLines = crambin.split('\n').filter((l) => /^(ATOM|HETATM)\s/.test(l));
  const { structures, errors } = readText(crambin, '1crn.cif', mmcifFormat);
  assert.deepEqual(errors, []);
  const s = structures[0]!;
  assert.equal(s.numbers.length, atomLines.length);
  assert.equal(s.numbers.length, 327);
  const residues = s.atomArrays['residueNumber']!.data as Int32Array;
  assert.equal(new Set(residues).size, 46);
  const first = atomLines[0]!.trim().split(/\s+/);
  const last = atomLines[atomLines.length - 1]!.trim().split(/\s+/);
  const header = crambin.split('\n').filter((l) => l.startsWith('_atom_site.')).map((l) => l.trim());
  const xIndex = header.indexOf('_atom_site.Cartn_x');
  assert.deepEqual(Array.from(s.positions.slice(0, 3)), first.slice(xIndex, xIndex + 3).map(Number));
  assert.deepEqual(Array.from(s.positions.slice(-3)), last.slice(xIndex, xIndex + 3).map(Number));
  assert.equal(symbolOf(s.numbers[0]!), first[header.indexOf('_atom_site.type_symbol')]);
  assert.equal((s.atomArrays['residueName']!.data as string[])[0], 'THR');
  assert.ok(s.cell, 'crambin has a crystal cell');
});

test('mmCIF 1cbs: protein, retinoic acid (REA) and waters as HETATM', () => {
  const text = proteins.get('protein_ligand_examples/1cbs_updated.cif')!;
  const { structures, errors } = readText(text, '1cbs.cif', mmcifFormat);
  assert.deepEqual(errors, []);
  const s = structures[0]!;
  const names = s.atomArrays['residueName']!.data as string[];
  const hetero = s.atomArrays['hetero']!.data as Uint8Array;
  assert.equal(names.filter((r) => r === 'REA').length, 22);
  assert.equal(names.filter((r) => r === 'HOH').length, 100);
  assert.equal(Array.from(hetero).filter((h) => h === 1).length, 122);
});

test('2000 mutants of a COD CIF and of the hand-written CIF raise only line-numbered FormatErrors, quickly', () => {
  const texts = [cgcnn.get('cgcnn_cod_cifs/1507756.cif')!, readFileSync(join(fixtureDir, 'handwritten-rutile-mixed.cif'), 'utf8')];
  texts.forEach((text, i) => {
    const summary = fuzzFormat(cifFormat, text, 2000, 20 + i);
    assert.ok(summary.errors > 50 && summary.structures > 300, JSON.stringify(summary));
    assert.ok(summary.ms < 60_000);
  });
});

test('2000 mutants of the head of an mmCIF raise only line-numbered FormatErrors', () => {
  const lines = crambin.split('\n');
  const lastAtom = lines.findIndex((l) => /^ATOM\s+20\s/.test(l));
  const summary = fuzzFormat(mmcifFormat, lines.slice(0, lastAtom + 1).join('\n'), 2000, 30);
  assert.ok(summary.errors > 50 && summary.structures > 300, JSON.stringify(summary));
  assert.ok(summary.ms < 60_000);
});

test('the registry tells crystal CIF from mmCIF by content for .cif files', async () => {
  const { detectFormat } = await import('../../core/formats/registry');
  assert.equal(detectFormat('1000041.cif', cgcnn.get('cgcnn_cod_cifs/1000041.cif')!.slice(0, 4096)).id, 'cif');
  assert.equal(detectFormat('1crn.cif', crambin.slice(0, 4096)).id, 'mmcif');
  assert.equal(detectFormat('1crn.cif.gz', crambin.slice(0, 4096)).id, 'mmcif');
});

test('CIF writer (P 1) output reads back with our reader and with ASE to the same crystal (1e-6 Å)', async () => {
  const { spawnSync } = await import('node:child_process');
  const { extxyzFormat } = await import('../../core/formats/xyz/index');
  const structures: Structure[] = [...cgcnn.entries()]
    .filter(([n]) => n.endsWith('.cif'))
    .sort()
    .map(([n, text]) => readText(text, n, cifFormat).structures[0]!);
  const silicon = gunzipSync(readFileSync(join(datasetsDir, 'mlearn_elemental', 'Si_test.extxyz.gz'))).toString('utf8').split('\n').slice(0, 65).join('\n');
  structures.push(readText(silicon, 'Si', extxyzFormat).structures[0]!); // non-orthogonal cell not in ASE's orientation
  const writer = cifFormat.createWriter!();
  const text = structures.map((s, i) => writer.write(s, i)).join('');
  const back = readText(text, 'written.cif', cifFormat);
  assert.deepEqual(back.errors, []);
  assert.equal(back.structures.length, structures.length);
  back.structures.forEach((s, i) => {
    const original = structures[i]!;
    assert.deepEqual(Array.from(s.numbers), Array.from(original.numbers));
    const p = (cell: Float64Array) => {
      const { a, b, c, alpha, beta, gamma } = cellParametersOf(cell);
      return [a, b, c, alpha, beta, gamma];
    };
    p(s.cell!).forEach((v, k) => assert.ok(Math.abs(v - p(original.cell!)[k]!) < 1e-9));
    const f1 = cartesianToFractional(s.positions, s.cell!);
    const f0 = cartesianToFractional(original.positions, original.cell!);
    f1.forEach((v, k) => {
      const d = v - f0[k]!;
      assert.ok(Math.abs(d - Math.round(d)) < 1e-12, `structure ${i} fractional ${k}`);
    });
  });
  const script = [
    'import io, json, sys, warnings, ase.io',
    'warnings.simplefilter("ignore")',
    "text = sys.stdin.read()",
    "atoms = ase.io.read(io.StringIO(text), index=':', format='cif')",
    "print(json.dumps([dict(symbols=a.get_chemical_symbols(), positions=a.positions.tolist(), cell=a.cell.array.tolist(), pbc=a.pbc.tolist()) for a in atoms]))",
  ].join('\n');
  const result = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, result.stderr);
  const ase = JSON.parse(result.stdout) as AseCrystal[];
  assert.equal(ase.length, back.structures.length);
  back.structures.forEach((s, i) => assertSameCrystal(s, ase[i]!, `written block ${i}`));
});

/** The CIF without its _symmetry_equiv_pos loop (same rule as scripts/fixtures-ase.py). */
function stripSymmetryOperations(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.trim() === 'loop_' && (lines[i + 1] ?? '').startsWith('_symmetry_equiv_pos')) {
      i++;
      while (i < lines.length && !(lines[i]!.startsWith('loop_') || (lines[i]!.startsWith('_') && !lines[i]!.startsWith('_symmetry_equiv_pos')))) i++;
      continue;
    }
    out.push(lines[i]!);
    i++;
  }
  return out.join('\n');
}

test('CIFs that name a space group but list no operations expand from the space-group table like ASE', () => {
  for (const [name, text] of [...cgcnn.entries()].filter(([n]) => n.endsWith('.cif')).sort()) {
    const key = `cgcnn-without-symops/${name.split('/').pop()}`;
    const stripped = stripSymmetryOperations(text);
    assert.ok(!stripped.includes('_symmetry_equiv_pos_as_xyz'));
    const { structures, errors } = readText(stripped, key, cifFormat);
    assert.deepEqual(errors, []);
    assertSameCrystal(structures[0]!, aseCif[key] as AseCrystal, key);
    assert.equal(structures[0]!.properties['symmetryExpanded'], undefined);
  }
});

test('rhombohedral groups named without operations use hexagonal or rhombohedral axes as the cell says', () => {
  const cif = (cell: string) => ['data_r', cell, "_symmetry_space_group_name_H-M 'R -3 m'", '_symmetry_Int_Tables_number 166', 'loop_', '_atom_site_label', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z', 'Bi1 0 0 0.4'].join('\n');
  const hexagonal = readText(cif('_cell_length_a 4.38\n_cell_length_b 4.38\n_cell_length_c 30.5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 120'), 'h', cifFormat);
  const rhombohedral = readText(cif('_cell_length_a 10.47\n_cell_length_b 10.47\n_cell_length_c 10.47\n_cell_angle_alpha 24.2\n_cell_angle_beta 24.2\n_cell_angle_gamma 24.2'), 'r', cifFormat);
  // Site 6c (0,0,z) in hexagonal axes: 6 atoms; the same Wyckoff site 2c (x,x,x) in rhombohedral axes: 2
  // (ASE: crystal('Bi', [(0,0,0.4)], 166, setting=1) has 6 atoms, [(0.4,0.4,0.4)] with setting=2 has 2).
  assert.equal(hexagonal.structures[0]!.numbers.length, 6);
  const rhombohedralSite = readText(cif('_cell_length_a 10.47\n_cell_length_b 10.47\n_cell_length_c 10.47\n_cell_angle_alpha 24.2\n_cell_angle_beta 24.2\n_cell_angle_gamma 24.2').replace('Bi1 0 0 0.4', 'Bi1 0.4 0.4 0.4'), 'r', cifFormat);
  assert.equal(rhombohedralSite.structures[0]!.numbers.length, 2);
  assert.equal(rhombohedral.errors.length, 0);
});

test('mmCIF keeps the first model and the first alternate location of each atom', () => {
  const rows = [
    'ATOM 1 N N . GLY A 1 1 ? 1.000 2.000 3.000 1.00 10.0 1',
    'ATOM 2 C CA A GLY A 1 1 ? 2.000 2.000 3.000 0.60 10.0 1',
    'ATOM 3 C CA B GLY A 1 1 ? 2.100 2.100 3.100 0.40 10.0 1',
    'HETATM 4 O O . HOH B 2 . ? 5.000 5.000 5.000 1.00 20.0 1',
    'ATOM 5 N N . GLY A 1 1 ? 9.000 9.000 9.000 1.00 10.0 2',
  ];
  const text = ['data_TEST', 'loop_', ...['group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'label_seq_id', 'auth_seq_id', 'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'pdbx_PDB_model_num'].map((t) => `_atom_site.${t}`), ...rows].join('\n');
  const { structures, errors } = readText(text, 't.cif', mmcifFormat);
  assert.deepEqual(errors, []);
  const s = structures[0]!;
  assert.deepEqual(Array.from(s.numbers), [7, 6, 8]);
  assert.deepEqual(Array.from(s.positions), [1, 2, 3, 2, 2, 3, 5, 5, 5]);
  assert.deepEqual(s.atomArrays['altLoc']!.data, ['', 'A', '']);
  assert.deepEqual(Array.from(s.atomArrays['hetero']!.data as Uint8Array), [0, 0, 1]);
  assert.deepEqual(Array.from(s.atomArrays['occupancy']!.data as Float64Array), [1, 0.6, 1]);
  assert.equal(s.properties['model'], 1);
  assert.equal(s.cell, undefined);
});
