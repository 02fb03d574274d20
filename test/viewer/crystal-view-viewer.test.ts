// The crystal view in headless Chromium: rutile and rock salt with boundary images, whole bonds, coordination
// polyhedra and the a/b/c axis inset. Set CRYSTAL_SCREENSHOTS=<dir> to keep the PNGs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fractionalCoordinates } from '../../renderer/viewer/crystal-view';
import { AXES_INSET_PX } from '../../renderer/viewer/crystal-overlays';
import { buildSceneData } from '../../renderer/viewer/scene-data';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, pngDataUrlToPixels, type BrowserPage } from '../helpers/browser';
import { expectedBoundaryCount, readExampleCif } from './crystal-view-data';
import { toPlain } from './load-dataset';
import type { PlainState, ViewerTestApi } from './pages/viewer-page';

type PageWindow = { viewerTest: ViewerTestApi };
const skip = chromiumSkipReason();
let session: BrowserPage | null = null;

const rutileStructure = readExampleCif('rutile.cif');
const naclStructure = readExampleCif('nacl.cif');
const rutile = toPlain(rutileStructure);
const nacl = toPlain(naclStructure);

before(async () => {
  if (chromiumAvailable()) session = await openBrowserPage({ entry: 'test/viewer/pages/viewer-page.ts', readyGlobal: 'viewerPageReady', width: 640, height: 480 });
});
after(async () => {
  await session?.close();
});

function page() {
  return session!.page;
}
async function create(state: PlainState) {
  return page().evaluate((s) => (window as unknown as PageWindow).viewerTest.create(s), state);
}
async function set(state: PlainState) {
  return page().evaluate((s) => (window as unknown as PageWindow).viewerTest.set(s), state);
}
async function snapshot(name: string) {
  const url = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dataURL());
  const dir = process.env['CRYSTAL_SCREENSHOTS'];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.png`), Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
  }
  return pngDataUrlToPixels(page(), url);
}

/** Pixels differing from the top-right corner (background) inside [x0, x1) x [y0, y1). */
function foreground(image: { width: number; height: number; data: Uint8Array }, x0 = 0, y0 = 0, x1 = image.width, y1 = image.height) {
  const d = image.data;
  const bg = 4 * (image.width - 1);
  let count = 0, red = 0, green = 0, blue = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = 4 * (y * image.width + x);
      const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!;
      if (Math.abs(r - d[bg]!) + Math.abs(g - d[bg + 1]!) + Math.abs(b - d[bg + 2]!) < 12) continue;
      count++;
      if (r > 150 && g < 90 && b < 90) red++;
      if (g > 120 && r < 100 && b < 100) green++;
      if (b > 150 && r < 90 && g < 130) blue++;
    }
  }
  return { count, red, green, blue };
}

test('rutile draws its 6 atoms plus boundary images and only whole Ti–O bonds, as the pure scene data says', { skip }, async () => {
  const expectedAtoms = expectedBoundaryCount(Array.from(fractionalCoordinates(rutileStructure)), [1, 1, 1]);
  assert.equal(expectedAtoms, 15);
  const info = await create({ structure: rutile, polyhedra: false });
  assert.equal(info.atoms, 6);
  assert.equal(info.atomInstances, expectedAtoms);
  assert.equal(info.polyhedra, 0);
  const data = buildSceneData(rutileStructure, { style: 'ball-and-stick', colorScheme: { kind: 'element' }, atomScale: 1, bondScale: 1, supercell: [1, 1, 1], crystal: { boundary: true, bondedBeyond: false, polyhedra: false } });
  assert.equal(info.bondInstances, data.bondCount);
  // No bond longer than the Ti–O cutoff (covalent radii 1.60 + 0.66 + 0.45 Å); rutile's Ti–O are 1.95-1.98 Å.
  for (let h = 0; h < data.bonds.count; h += 2) {
    const length = Math.hypot(...[0, 1, 2].map((c) => data.bonds.end[3 * (h + 1) + c]! - data.bonds.start[3 * h + c]!));
    assert.ok(length < 2.0, `bond of ${length.toFixed(3)} Å`);
  }
  const image = await snapshot('rutile-ball-and-stick');
  assert.ok(foreground(image).count > 0.04 * image.width * image.height);
  const plain = await set({ boundaryAtoms: false });
  assert.equal(plain.atomInstances, 6, 'boundary images off: each atom once');
  assert.deepEqual(session!.errors, []);
});

test('rutile with polyhedra draws 9 TiO6 octahedra (8 corner Ti images and the body centre) over more pixels', { skip }, async () => {
  const bare = await create({ structure: rutile, polyhedra: false, cellAxes: false });
  const bareImage = foreground(await snapshot('rutile-bare'));
  const info = await set({ polyhedra: true });
  assert.equal(info.polyhedra, 9);
  assert.ok(info.atomInstances > bare.atomInstances, 'the O vertices of the corner octahedra are drawn');
  const withPolyhedra = foreground(await snapshot('rutile-polyhedra'));
  assert.ok(withPolyhedra.count > bareImage.count * 1.2, `polyhedra cover more pixels: ${bareImage.count} -> ${withPolyhedra.count}`);
  assert.equal((await set({ supercell: [2, 2, 1] })).polyhedra, 3 * 3 * 2 + 2 * 2 * 1, 'Ti1 on the 3x3x2 grid of cell corners plus 4 body centres');
  assert.deepEqual(session!.errors, []);
});

test('rock salt draws a 27-atom cell with 54 Na–Cl bonds and 14 NaCl6 octahedra', { skip }, async () => {
  const info = await create({ structure: nacl, polyhedra: false });
  assert.equal(info.atomInstances, 27);
  assert.equal(info.bondInstances, 54);
  await snapshot('nacl-ball-and-stick');
  const withPolyhedra = await set({ polyhedra: true });
  assert.equal(withPolyhedra.polyhedra, 14);
  await snapshot('nacl-polyhedra');
  const spacefill = await set({ style: 'spacefill' });
  assert.equal(spacefill.polyhedra, 0, 'spacefill hides polyhedra, so none are drawn');
  assert.equal(spacefill.atomInstances, 27, 'nor their vertex atoms beyond the cell');
  assert.deepEqual(session!.errors, []);
});

test('the a/b/c axis inset draws red, green and blue arrows in the lower-left corner and can be turned off', { skip }, async () => {
  const info = await create({ structure: rutile });
  assert.equal(info.cellAxes, true);
  const image = await snapshot('rutile-default');
  const inset = foreground(image, 0, image.height - AXES_INSET_PX, AXES_INSET_PX, image.height);
  assert.ok(inset.red > 20 && inset.green > 20 && inset.blue > 20, JSON.stringify(inset));
  const off = await set({ cellAxes: false });
  assert.equal(off.cellAxes, false);
  const offImage = await snapshot('rutile-no-axes');
  const offInset = foreground(offImage, 0, offImage.height - AXES_INSET_PX, AXES_INSET_PX, offImage.height);
  assert.ok(offInset.red + offInset.green + offInset.blue < 5, JSON.stringify(offInset));
  const molecule = await create({ structure: { numbers: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0] } });
  assert.equal(molecule.cellAxes, false, 'molecules have no cell axes');
  assert.equal(molecule.polyhedra, 0);
});

test('dispose after polyhedra and axes leaves no geometries or textures', { skip }, async () => {
  await create({ structure: rutile, supercell: [2, 1, 1], labels: 'element' });
  await set({ theme: 'dark' });
  const after = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dispose());
  assert.ok(after);
  assert.equal(after.geometries, 0);
  assert.equal(after.textures, 0);
  assert.deepEqual(session!.errors, []);
});
