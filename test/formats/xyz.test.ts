import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { readText, splitLines } from '../../core/formats/read-text';
import { extxyzFormat, xyzFormat, splitKeyValues, convertValue, parseXyzFrame } from '../../core/formats/xyz/index';
import { FormatError } from '../../core/structure/errors';
import { symbolOf } from '../../core/structure/elements';
import type { Structure } from '../../core/structure/structure';
import { datasetsDir, repoRoot } from './datasets-stream';

const fixtureDir = join(repoRoot, 'test', 'fixtures', 'xyz');

interface AseFrame {
  symbols: string[];
  numbers: number[];
  positions: number[][];
  cell: number[][];
  pbc: boolean[];
  info: Record<string, unknown>;
  arrays: Record<string, unknown[]>;
  calc?: Record<string, unknown>;
}

function close(actual: number, expected: number, tol: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

function flat(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap((v) => flat(v)) : [x];
}

/** Compares one of our structures with ASE's reading (positions to 1e-8 Å, everything else exactly). */
function assertSameAsAse(s: Structure, ase: AseFrame, label: string) {
  assert.deepEqual(Array.from(s.numbers), ase.numbers, `${label}: numbers`);
  assert.deepEqual(Array.from(s.numbers, symbolOf), ase.symbols, `${label}: symbols`);
  flat(ase.positions).forEach((v, i) => close(s.positions[i]!, v as number, 1e-8, `${label}: position ${i}`));
  const aseCell = flat(ase.cell) as number[];
  if (aseCell.every((v) => v === 0)) assert.equal(s.cell, undefined, `${label}: no cell`);
  else aseCell.forEach((v, i) => close(s.cell![i]!, v, 1e-10, `${label}: cell ${i}`));
  assert.deepEqual([...s.pbc], ase.pbc, `${label}: pbc`);
  for (const [key, value] of Object.entries(ase.info)) {
    const ours = s.properties[key];
    if (Array.isArray(value)) assert.deepEqual(flat(ours), flat(value), `${label}: info ${key}`);
    else assert.equal(ours, value, `${label}: info ${key}`);
  }
  for (const [key, value] of Object.entries(ase.arrays)) {
    const ours = s.atomArrays[key];
    assert.ok(ours, `${label}: per-atom array ${key}`);
    const expected = flat(value);
    const got = ours.kind === 'bool' ? Array.from(ours.data, (b) => b === 1) : Array.from(ours.data as ArrayLike<number | string>);
    assert.equal(got.length, expected.length, `${label}: ${key} length`);
    got.forEach((v, i) => (typeof v === 'number' ? close(v, expected[i] as number, 1e-10, `${label}: ${key}[${i}]`) : assert.equal(v, expected[i])));
  }
}

test('ASE-written extended XYZ reads like ASE reads it: cell, pbc, info, forces, charges, strings, ints, bools', () => {
  const text = readFileSync(join(fixtureDir, 'ase-written.extxyz'), 'utf8');
  const ase = JSON.parse(readFileSync(join(fixtureDir, 'ase-written.json'), 'utf8')) as AseFrame[];
  const { structures, errors } = readText(text, 'ase-written.extxyz', extxyzFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, ase.length);
  structures.forEach((s, i) => assertSameAsAse(s, ase[i]!, `frame ${i}`));
  // Spot checks of what the comparison covers.
  assert.equal(structures[0]!.name, 'ethanol');
  assert.equal(structures[0]!.properties['config_type'], 'gas phase');
  assert.equal(structures[0]!.properties['converged'], true);
  assert.equal(structures[0]!.properties['energy'], -4209.123456789);
  assert.equal(structures[0]!.atomArrays['labels']?.kind, 'string');
  assert.equal(structures[0]!.atomArrays['ring_index']?.kind, 'int');
  assert.equal(structures[0]!.atomArrays['is_heavy']?.kind, 'bool');
  assert.equal(structures[2]!.properties['description'], 'Pt(111) "slab" 2x2x3');
  assert.deepEqual(structures[2]!.pbc, [true, true, false]);
  assert.equal(structures[1]!.provenance?.line, 12);
  assert.equal(structures[1]!.provenance?.record, 1);
});

test('our extended XYZ writer output is read back by ASE with the same numbers (1e-8)', () => {
  const fixture = readFileSync(join(fixtureDir, 'ase-written.extxyz'), 'utf8');
  const dataset = gunzipSync(readFileSync(join(datasetsDir, 'mlearn_elemental', 'Si_test.extxyz.gz'))).toString('utf8');
  const structures = [
    ...readText(fixture, 'f', extxyzFormat).structures,
    ...readText(splitLines(dataset).slice(0, 3 * 65).join('\n'), 'Si', extxyzFormat).structures,
  ];
  // A value needing all 17 digits, a string with quotes, spaces and a backslash, a list of strings.
  const tricky: Structure = {
    ...structures[0]!,
    properties: { ...structures[0]!.properties, third: 1 / 3, quoted: 'say "hi" \\ there', tags: ['a b', 'c'], flags: [true, false] },
  };
  structures.push(tricky);
  const writer = extxyzFormat.createWriter!();
  const text = structures.map((s, i) => writer.write(s, i)).join('');
  // Our own reader gives the same structures back.
  const again = readText(text, 'roundtrip', extxyzFormat);
  assert.deepEqual(again.errors, []);
  again.structures.forEach((s, i) => {
    assert.deepEqual(s.positions, structures[i]!.positions);
    assert.deepEqual(s.properties, structures[i]!.properties);
  });
  const dir = mkdtempSync(join(tmpdir(), 'equimol-xyz-'));
  try {
    const path = join(dir, 'ours.extxyz');
    writeFileSync(path, text);
    const script = [
      'import json, sys, ase.io',
      'from ase.calculators.singlepoint import SinglePointCalculator',
      'out = []',
      "for a in ase.io.read(sys.argv[1], index=':', format='extxyz'):",
      '    info = dict(a.info)',
      '    if a.calc is not None:',
      "        for k in ('energy',):",
      '            if k in a.calc.results: info[k] = a.calc.results[k]',
      "    arrays = {k: v.tolist() for k, v in a.arrays.items() if k not in ('numbers', 'positions')}",
      "    if a.calc is not None and 'forces' in a.calc.results: arrays['forces'] = a.calc.results['forces'].tolist()",
      "    info = {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in info.items()}",
      "    out.append(dict(symbols=a.get_chemical_symbols(), numbers=a.numbers.tolist(), positions=a.positions.tolist(), cell=a.cell.array.tolist(), pbc=a.pbc.tolist(), info=info, arrays=arrays))",
      'print(json.dumps(out))',
    ].join('\n');
    const result = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(result.status, 0, result.stderr);
    const ase = JSON.parse(result.stdout) as AseFrame[];
    assert.equal(ase.length, structures.length);
    ase.forEach((frame, i) => assertSameAsAse(structures[i]!, frame, `written frame ${i}`));
    assert.equal(ase[ase.length - 1]!.info['third'], 1 / 3);
    assert.equal(ase[ase.length - 1]!.info['quoted'], 'say "hi" \\ there');
    assert.deepEqual(ase[ase.length - 1]!.info['tags'], ['a b', 'c']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad coordinate in the second frame is reported at its exact file line', () => {
  const text = ['2', 'Properties=species:S:1:pos:R:3 energy=1.5', 'H 0 0 0', 'H 0 0 0.74', '2', 'energy=2.5', 'O 0 0 0', 'H 0 0.9x 0', '1', '', 'He 1 2 3'].join('\n');
  const { structures, errors } = readText(text, 'bad.extxyz', extxyzFormat);
  assert.equal(structures.length, 2);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 8);
  assert.equal(errors[0]!.record, 1);
  assert.equal(errors[0]!.file, 'bad.extxyz');
  assert.match(errors[0]!.message, /0\.9x/);
  assert.deepEqual(Array.from(structures[1]!.positions), [1, 2, 3]);
});

test('a truncated last frame and a wrong Lattice name their lines', () => {
  const truncated = readText(['3', 'plain', 'C 0 0 0', 'O 0 0 1.2'].join('\n'), 't.xyz', xyzFormat);
  assert.equal(truncated.errors.length, 1);
  assert.equal(truncated.errors[0]!.line, 4);
  assert.match(truncated.errors[0]!.message, /ends after 2 atom lines/);
  const lattice = readText(['1', 'Lattice="1 0 0 0 1 0 0 0" pbc="T T T"', 'Si 0 0 0'].join('\n'), 'l.extxyz', extxyzFormat);
  assert.equal(lattice.errors[0]!.line, 2);
  assert.match(lattice.errors[0]!.message, /Lattice must be 9 numbers/);
  const columns = readText(['1', 'Properties=species:S:1:pos:R:3:forces:R:3', 'Si 0 0 0 1 2'].join('\n'), 'c.extxyz', extxyzFormat);
  assert.equal(columns.errors[0]!.line, 3);
  assert.match(columns.errors[0]!.message, /expected 7 columns/);
});

test('plain XYZ: the comment is the name, symbols in any case or as labels (H1), atomic numbers in the species column, extra columns ignored', () => {
  const text = ['3', 'water molecule from a textbook', 'o 0.0 0.0 0.117 extra', 'H1 0.0 0.757 -0.467', '1 0.0 -0.757 -0.467', '', '1', '', 'CL 1 1 1'].join('\n');
  const { structures, errors } = readText(text, 'w.xyz', xyzFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures.length, 2);
  assert.equal(structures[0]!.name, 'water molecule from a textbook');
  assert.deepEqual(Array.from(structures[0]!.numbers), [8, 1, 1]);
  assert.deepEqual(Array.from(structures[0]!.positions.slice(6)), [0, -0.757, -0.467]);
  assert.equal(structures[0]!.cell, undefined);
  assert.deepEqual(structures[0]!.pbc, [false, false, false]);
  assert.deepEqual(Array.from(structures[1]!.numbers), [17]);
  assert.equal(structures[1]!.provenance?.line, 7);
});

test('comment line key=value parsing follows ASE: quotes, escapes, brackets, bare keys, arrays, T/F, _JSON', () => {
  assert.deepEqual(splitKeyValues('a=1 b="x y" c={1 2 3} d=[4,5] flag e = 7 f="say \\"hi\\""'), [
    ['a', '1'],
    ['b', 'x y'],
    ['c', '1 2 3'],
    ['d', '4,5'],
    ['flag', 'T'],
    ['e', '7'],
    ['f', 'say "hi"'],
  ]);
  assert.equal(convertValue('12'), 12);
  assert.equal(convertValue('-1.5e-3'), -0.0015);
  assert.deepEqual(convertValue('1 2 3'), [1, 2, 3]);
  assert.deepEqual(convertValue('1.5,2'), [1.5, 2]);
  assert.equal(convertValue('T'), true);
  assert.deepEqual(convertValue('T T F'), [true, true, false]);
  assert.deepEqual(convertValue('_JSON [209.44, 80.54, 59.96]'), [209.44, 80.54, 59.96]);
  assert.deepEqual(convertValue('_JSON ["a", "b"]'), ['a', 'b']);
  assert.equal(convertValue('GFN2-xTB'), 'GFN2-xTB');
  assert.ok(Number.isNaN(convertValue('nan') as number));
  assert.equal(convertValue('0x10'), '0x10');
});

test('Properties with every column type and width becomes typed per-atom arrays; Z sets atomic numbers', () => {
  const frame = parseXyzFrame({
    index: 0,
    firstLine: 10,
    lines: ['2', 'Properties=Z:I:1:pos:R:3:tag:S:2:fixed:L:3:spin:R:1 energy=-1', '26 0 0 0 a b T F T 2.5', '8 1 1 1 c d F F F -0.5'],
  });
  assert.deepEqual(Array.from(frame.numbers), [26, 8]);
  assert.deepEqual(frame.arrays['tag'], { kind: 'string', width: 2, data: ['a', 'b', 'c', 'd'] });
  assert.deepEqual(Array.from(frame.arrays['fixed']!.data as Uint8Array), [1, 0, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(frame.arrays['spin']!.data as Float64Array), [2.5, -0.5]);
  assert.equal(frame.arrays['Z'], undefined);
  const both = parseXyzFrame({ index: 0, firstLine: 1, lines: ['1', 'Properties=Z:I:1:species:S:1:pos:R:3', '6 H 0 0 0'] });
  assert.deepEqual(Array.from(both.numbers), [6]);
  assert.throws(
    () => parseXyzFrame({ index: 0, firstLine: 10, lines: ['1', 'Properties=species:S:1:pos:R:3:q:Q:1', 'H 0 0 0 1'] }),
    (e: unknown) => e instanceof FormatError && e.line === 11 && /unknown type 'Q'/.test(e.message),
  );
});

test('the splitter skips blank lines between frames and resynchronises after garbage', () => {
  const text = ['', '1', 'a', 'H 0 0 0', '', 'garbage here', 'more garbage', '1', 'b', 'He 0 0 0'].join('\n');
  const { structures, errors } = readText(text, 'g.xyz', xyzFormat);
  assert.deepEqual(structures.map((s) => s.name), ['a', 'b']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 6);
  assert.deepEqual(structures.map((s) => s.provenance?.line), [2, 8]);
});

test('sniffing tells extended XYZ from plain XYZ and from other text', () => {
  assert.ok(extxyzFormat.sniff('2\nLattice="1 0 0 0 1 0 0 0 1" Properties=species:S:1:pos:R:3\nH 0 0 0\n') > 0.9);
  assert.ok(xyzFormat.sniff('2\nwater\nO 0 0 0\nH 0 0 1\n') > 0.8);
  assert.equal(xyzFormat.sniff('data_1000041\nloop_\n'), 0);
  assert.equal(xyzFormat.sniff('CCO ethanol\n'), 0);
});

test('the registry picks xyz / extxyz by extension (also .gz) and extxyz by content for an unnamed file', async () => {
  const { detectFormat } = await import('../../core/formats/registry');
  const head = readFileSync(join(fixtureDir, 'ase-written.extxyz'), 'utf8').slice(0, 4096);
  assert.equal(detectFormat('a/b/train.extxyz.gz', head).id, 'extxyz');
  assert.equal(detectFormat('water.xyz', '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n').id, 'xyz');
  assert.equal(detectFormat('noext', head).id, 'extxyz');
});

test('a frame whose count is too large loses only itself: the next count line starts the next frame', () => {
  const text = ['5', 'first', 'H 0 0 0', 'H 0 0 0.74', '2', 'second', 'O 0 0 0', 'H 0 0 1', '1', 'third', 'He 0 0 0'].join('\n');
  const { structures, errors } = readText(text, 'short.xyz', xyzFormat);
  assert.deepEqual(structures.map((s) => s.name), ['second', 'third']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 4);
  assert.match(errors[0]!.message, /ends after 2 atom lines/);
});

test('a byte-order mark and CRLF line ends do not disturb reading', () => {
  const { structures, errors } = readText('\uFEFF2\r\nenergy=-1.5 pbc="F F F"\r\nH 0 0 0\r\nH 0 0 0.74\r\n', 'bom.xyz', xyzFormat);
  assert.deepEqual(errors, []);
  assert.equal(structures[0]!.properties['energy'], -1.5);
  assert.deepEqual(Array.from(structures[0]!.positions), [0, 0, 0, 0, 0, 0.74]);
});

test('total charge and multiplicity survive an extxyz write/read round trip', () => {
  const { structures } = readText('2\nname=oh\nO 0 0 0\nH 0 0 0.97\n', 'oh.xyz', extxyzFormat);
  const anion: Structure = { ...structures[0]!, charge: -1, multiplicity: 2 };
  const text = extxyzFormat.createWriter!().write(anion, 0);
  assert.match(text.split('\n')[1]!, /charge=-1 multiplicity=2/);
  const back = readText(text, 'back.extxyz', extxyzFormat).structures[0]!;
  assert.equal(back.charge, -1);
  assert.equal(back.multiplicity, 2);
  assert.equal(back.name, 'oh');
});

test('a key=value comment without Properties keeps its values and serves as the name; ASE-style frames without name get none', () => {
  const { structures } = readText('1\nE = -76.4 Hartree\nHe 0 0 0\n1\nProperties=species:S:1:pos:R:3 energy=1\nHe 0 0 0\n', 'e.xyz', xyzFormat);
  assert.equal(structures[0]!.name, 'E = -76.4 Hartree');
  assert.equal(structures[0]!.properties['E'], -76.4);
  assert.equal(structures[0]!.properties['Hartree'], true);
  assert.equal(structures[1]!.name, '');
});

test('formatNumber text reads back to exactly the same double (200k seeded values of every magnitude)', async () => {
  const { formatNumber } = await import('../../core/formats/xyz/writer');
  const { seededRandom } = await import('../helpers/fuzz');
  const random = seededRandom(7);
  const values = [0, -0, 1, -1, 0.1, 1e-9, -17660.461737861464, 1e21, 5e-324, 89999999.99999999, 0.30000000000000004, 1 / 3, -0.07164];
  for (let i = 0; i < 200_000; i++) {
    const kind = i % 4;
    values.push(kind === 0 ? (random() - 0.5) * 100 : kind === 1 ? Math.round((random() - 0.5) * 1e9) / 1e6 : kind === 2 ? (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20) : Math.round(random() * 1e8) / 1e8);
  }
  for (const v of values) {
    const text = formatNumber(v);
    assert.ok(Object.is(Number(text), v), `${v} -> ${text}`);
  }
  assert.equal(formatNumber(-0.07164), '-0.07164');
  assert.equal(formatNumber(3), '3');
  assert.equal(formatNumber(Number.NaN), 'nan');
});
