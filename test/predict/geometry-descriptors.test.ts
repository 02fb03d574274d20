import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createGeometryPredictor, geometryDescriptors, symmetricEigenvalues3 } from '../../core/predict/geometry-descriptors';
import { createStructure } from '../../core/structure/structure';
import { createPredictor, PREDICTORS, UnknownPredictorError } from '../../core/predict/registry';

interface AseReference {
  name: string;
  numbers: number[];
  positions: number[];
  pbc: [boolean, boolean, boolean];
  cell?: number[];
  molar_mass: number;
  center_of_mass: number[];
  radius_of_gyration: number;
  principal_moments: number[];
  cell_volume?: number;
  density?: number;
}

const references = JSON.parse(readFileSync(new URL('../fixtures/predict/geometry-ase.json', import.meta.url), 'utf8')) as AseReference[];

function close(actual: number, expected: number, tolerance: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ASE ${expected}`);
}

// The shared element table stores masses to 6 significant figures (Na 22.9898 vs ASE 22.98976928): compare to 1e-5 relative.
test('geometry descriptors equal ASE (masses, centre of mass, moments of inertia, radius of gyration, cell volume, density)', () => {
  assert.equal(references.length, 6);
  for (const ref of references) {
    const structure = createStructure({ name: ref.name, numbers: ref.numbers, positions: ref.positions, pbc: ref.pbc, ...(ref.cell ? { cell: ref.cell } : {}) });
    const v = geometryDescriptors(structure);
    assert.equal(v.n_atoms, ref.numbers.length);
    close(v.molar_mass as number, ref.molar_mass, 1e-5, `${ref.name} mass`);
    const com = v.center_of_mass as number[];
    for (let k = 0; k < 3; k++) close(com[k]!, ref.center_of_mass[k]!, 1e-5, `${ref.name} com[${k}]`);
    close(v.radius_of_gyration as number, ref.radius_of_gyration, 1e-5, `${ref.name} Rg`);
    const moments = v.principal_moments as number[];
    for (let k = 0; k < 3; k++) close(moments[k]!, ref.principal_moments[k]!, 1e-5, `${ref.name} I[${k}]`);
    if (ref.cell_volume !== undefined) {
      close(v.cell_volume as number, ref.cell_volume, 1e-12, `${ref.name} volume`);
      close(v.density as number, ref.density!, 1e-5, `${ref.name} density`);
    } else {
      assert.equal(v.cell_volume, null);
      assert.equal(v.density, null);
    }
  }
  const water = references.find((r) => r.name === 'water')!;
  assert.equal(geometryDescriptors(createStructure({ numbers: water.numbers, positions: water.positions })).formula, 'H2O');
  const rutile = references.find((r) => r.name === 'rutile')!;
  assert.equal(rutile.numbers.length, 6);
  close(rutile.density!, 4.25, 0.02, 'rutile density is near the textbook 4.25 g/cm3');
});

test('Jacobi eigenvalues of a symmetric 3x3 matrix match the characteristic polynomial roots and are ascending', () => {
  // eigenvalues of [[2,1,0],[1,2,1],[0,1,2]] are 2-sqrt2, 2, 2+sqrt2
  const [a, b, c] = symmetricEigenvalues3([2, 1, 0, 1, 2, 1, 0, 1, 2]);
  close(a, 2 - Math.SQRT2, 1e-13, 'l0');
  close(b, 2, 1e-13, 'l1');
  close(c, 2 + Math.SQRT2, 1e-13, 'l2');
  assert.deepEqual(symmetricEigenvalues3([3, 0, 0, 0, 1, 0, 0, 0, 2]), [1, 2, 3]);
});

test('the geometry predictor handles an atomless structure and dummy atoms without failing the batch', async () => {
  const predictor = await createPredictor('geometry');
  assert.ok(PREDICTORS.some((p) => p.id === 'geometry'));
  const empty = createStructure({ numbers: [], positions: [] });
  const dummy = createStructure({ numbers: [0, 1], positions: [0, 0, 0, 0, 0, 1] });
  const [r0, r1] = await predictor.predict([empty, dummy]);
  assert.ok(!(r0 instanceof Error) && !(r1 instanceof Error));
  assert.equal(r0!.values.molar_mass, 0);
  assert.equal(r0!.values.center_of_mass, null);
  assert.deepEqual(r1!.values.center_of_mass, [0, 0, 1]);
  assert.equal(r1!.values.formula, 'HX');
  assert.equal(createGeometryPredictor().columns.find((c) => c.key === 'principal_moments')!.width, 3);
  await assert.rejects(createPredictor('nope'), UnknownPredictorError);
});
