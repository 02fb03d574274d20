// The viewer in real headless Chromium (WebGL on SwiftShader): pixels, picking, labels, export, dispose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { measure } from '../../renderer/viewer/measure';
import { viewBondsOf } from '../../renderer/viewer/bonds';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, pngDataUrlToPixels, type BrowserPage } from '../helpers/browser';
import { readFrames, toPlain } from './load-dataset';
import type { PlainState, ViewerTestApi } from './pages/viewer-page';

type PageWindow = { viewerTest: ViewerTestApi };
const skip = chromiumSkipReason();
let session: BrowserPage | null = null;

const ethanolFrames = readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 3);
const ethanol = toPlain(ethanolFrames[0]!);
const crystalStructure = readFrames('perov_5/perov_5_test.extxyz.gz', 1)[0]!;
const crystal = toPlain(crystalStructure);

before(async () => {
  if (chromiumAvailable()) session = await openBrowserPage({ entry: 'test/viewer/pages/viewer-page.ts', readyGlobal: 'viewerPageReady', width: 640, height: 480 });
});
after(async () => {
  await session?.close();
});

function page() {
  return session!.page;
}
async function create(state: PlainState, impostorThreshold?: number) {
  return page().evaluate(([s, t]) => (window as unknown as PageWindow).viewerTest.create(s, t === undefined ? {} : { impostorThreshold: t }), [state, impostorThreshold] as const);
}
async function set(state: PlainState) {
  return page().evaluate((s) => (window as unknown as PageWindow).viewerTest.set(s), state);
}
async function snapshot() {
  const url = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dataURL());
  return { url, ...(await pngDataUrlToPixels(page(), url)) };
}

interface PixelStats {
  total: number;
  foreground: number;
  red: number;
  grey: number;
  white: number;
  dark: number;
}
/** Classifies pixels against the background colour (taken from the top-left corner). */
function stats(image: { width: number; height: number; data: Uint8Array }): PixelStats {
  const d = image.data;
  const [br, bg, bb] = [d[0]!, d[1]!, d[2]!];
  const s: PixelStats = { total: image.width * image.height, foreground: 0, red: 0, grey: 0, white: 0, dark: 0 };
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!;
    if (Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb) < 12) continue;
    s.foreground++;
    if (r > 140 && g < 70 && b < 70) s.red++;
    if (Math.abs(r - g) < 10 && Math.abs(g - b) < 10 && r > 60 && r < 175) s.grey++;
    if (r > 200 && g > 200 && b > 200) s.white++;
    if (r < 50 && g < 50 && b < 60) s.dark++;
  }
  return s;
}

test('ethanol in ball-and-stick shows red O, grey C and white H pixels on a white background', { skip }, async () => {
  const info = await create({ structure: ethanol });
  assert.equal(info.atoms, 9);
  assert.equal(info.atomInstances, 9);
  assert.equal(info.bondInstances, 8);
  assert.match(info.glRenderer, /SwiftShader|ANGLE|Mesa|NVIDIA|AMD|Intel/i);
  const image = await snapshot();
  assert.equal(image.width, 640);
  assert.equal(image.height, 480);
  assert.deepEqual(Array.from(image.data.subarray(0, 3)), [255, 255, 255]);
  const s = stats(image);
  assert.ok(s.foreground > 0.05 * s.total, `only ${s.foreground} molecule pixels`);
  assert.ok(s.red > 500, `red (O) pixels: ${s.red}`);
  assert.ok(s.grey > 1000, `grey (C) pixels: ${s.grey}`);
  assert.ok(s.white > 1000, `white (H) pixels: ${s.white}`);
  assert.deepEqual(session!.errors, []);
});

test('the same state gives the same picture, also in a freshly created viewer', { skip }, async () => {
  await create({ structure: ethanol, style: 'licorice' });
  const first = await snapshot();
  const again = await snapshot();
  assert.equal(again.url, first.url);
  await create({ structure: ethanol, style: 'licorice' });
  assert.equal((await snapshot()).url, first.url);
});

test('style switches change the picture: spacefill covers most, wireframe least', { skip }, async () => {
  await create({ structure: ethanol, camera: null });
  // A fixed camera so every style is seen from the same place.
  const camera = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.camera());
  const covered: Record<string, number> = {};
  const urls = new Set<string>();
  for (const style of ['ball-and-stick', 'spacefill', 'licorice', 'wireframe'] as const) {
    await set({ style, camera });
    const image = await snapshot();
    urls.add(image.url);
    covered[style] = stats(image).foreground;
  }
  assert.equal(urls.size, 4);
  assert.ok(covered['spacefill']! > 1.5 * covered['ball-and-stick']!, JSON.stringify(covered));
  assert.ok(covered['ball-and-stick']! > covered['licorice']!, JSON.stringify(covered));
  assert.ok(covered['licorice']! > 3 * covered['wireframe']!, JSON.stringify(covered));
  assert.ok(covered['wireframe']! > 200, JSON.stringify(covered));
});

test('a crystal with its cell and a 2x2x2 supercell draws 8 copies and dark cell lines', { skip }, async () => {
  // Plain periodic copies (the crystal view's boundary images and polyhedra are tested in crystal-view-viewer.test.ts).
  const single = await create({ structure: crystal, showCell: false, boundaryAtoms: false, polyhedra: false });
  assert.equal(single.atomInstances, 5);
  const bare = stats(await snapshot());
  await set({ showCell: true });
  const withCell = stats(await snapshot());
  assert.ok(withCell.dark > bare.dark + 300, `cell line pixels: ${bare.dark} -> ${withCell.dark}`);
  const info = await set({ supercell: [2, 2, 2] });
  assert.equal(info.atomInstances, 40);
  // Each of the cell's bonds at most once per cell image: bonds leaving the supercell are not drawn (no half-sticks).
  assert.ok(info.bondInstances <= 8 * viewBondsOf(crystalStructure).count, `${info.bondInstances} bonds drawn`);
  assert.ok(info.bondInstances > 8 * single.bondInstances, `${info.bondInstances} bonds drawn`);
  const big = stats(await snapshot());
  assert.ok(big.foreground > withCell.foreground, `${withCell.foreground} -> ${big.foreground}`);
  assert.deepEqual(session!.errors, []);
});

/** Projected screen position of an atom, checked to be the atom the viewer itself picks there (not hidden). */
async function visibleAtomPoint(atom: number) {
  const point = await page().evaluate((a) => (window as unknown as PageWindow).viewerTest.project(a), atom);
  assert.ok(point, `atom ${atom} is on screen`);
  const picked = await page().evaluate(([x, y]) => (window as unknown as PageWindow).viewerTest.pickAt(x, y), [point.x, point.y] as const);
  return picked?.atom === atom ? point : null;
}

test('clicking two atoms in distance mode measures the distance the coordinates imply', { skip }, async () => {
  await create({ structure: ethanol, interaction: 'distance' });
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.clearEvents());
  const candidates: number[] = [];
  for (let atom = 0; atom < 9 && candidates.length < 2; atom++) if (await visibleAtomPoint(atom)) candidates.push(atom);
  assert.equal(candidates.length, 2);
  for (const atom of candidates) {
    const point = (await visibleAtomPoint(atom))!;
    await page().mouse.click(point.x, point.y);
  }
  const events = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.events());
  assert.deepEqual(events.pick.map((e) => e.atom), candidates);
  assert.equal(events.measure.length, 1);
  const expected = measure(ethanol.positions, candidates).value;
  assert.ok(Math.abs(events.measure[0]!.result.value - expected) < 0.01, `${events.measure[0]!.result.value} vs ${expected}`);
  assert.equal(events.measure[0]!.result.unit, 'Å');
  const state = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.state());
  assert.equal(state.measurements.length, 1);
  assert.deepEqual(state.measurements[0]!.atoms, candidates);
});

test('angle and dihedral modes measure three and four clicked atoms', { skip }, async () => {
  await create({ structure: ethanol, style: 'spacefill', atomScale: 0.5, interaction: 'angle' });
  const visible: number[] = [];
  for (let atom = 0; atom < 9; atom++) if (await visibleAtomPoint(atom)) visible.push(atom);
  assert.ok(visible.length >= 4, `visible atoms: ${visible}`);
  for (const [mode, count] of [['angle', 3], ['dihedral', 4]] as const) {
    await set({ interaction: mode, measurements: [] });
    await page().evaluate(() => (window as unknown as PageWindow).viewerTest.clearEvents());
    const atoms = visible.slice(0, count);
    for (const atom of atoms) {
      const point = (await visibleAtomPoint(atom))!;
      await page().mouse.click(point.x, point.y);
    }
    const events = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.events());
    assert.equal(events.measure.length, 1, mode);
    const expected = measure(ethanol.positions, atoms).value;
    assert.ok(Math.abs(events.measure[0]!.result.value - expected) < 0.01, `${mode}: ${events.measure[0]!.result.value} vs ${expected}`);
    assert.equal(events.measure[0]!.result.unit, '°');
  }
});

test('hovering an atom emits a hover event naming it', { skip }, async () => {
  await create({ structure: ethanol });
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.clearEvents());
  let target = -1;
  for (let atom = 0; atom < 9 && target < 0; atom++) if (await visibleAtomPoint(atom)) target = atom;
  const point = (await visibleAtomPoint(target))!;
  await page().mouse.move(point.x, point.y);
  const events = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.events());
  assert.equal(events.hover.at(-1)?.atom, target);
});

test('element labels add dark text on the atoms; measurements add their labels', { skip }, async () => {
  await create({ structure: ethanol, style: 'spacefill', atomScale: 0.6 });
  const plain = stats(await snapshot());
  await set({ labels: 'element' });
  const labelled = stats(await snapshot());
  assert.ok(labelled.dark > plain.dark + 150, `dark text pixels ${plain.dark} -> ${labelled.dark}`);
  const info = await set({ labels: 'none', measurements: [{ atoms: [0, 2] }] });
  assert.equal(info.textures, 1, 'one label texture for the distance');
  const measured = await snapshot();
  assert.notEqual(measured.url, (await set({ measurements: [] }), await snapshot()).url);
});

test('toPNG returns a PNG blob', { skip }, async () => {
  await create({ structure: ethanol });
  const png = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.pngSize());
  assert.equal(png.type, 'image/png');
  assert.ok(png.size > 1000);
  assert.deepEqual(png.signature, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('playing a trajectory advances frames and each frame is drawn from its own coordinates', { skip }, async () => {
  const frames = ethanolFrames.map(toPlain);
  await create({ frames, frame: 0 });
  const first = await snapshot();
  await set({ frame: 2 });
  const third = await snapshot();
  assert.notEqual(third.url, first.url);
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.clearEvents());
  await set({ frame: 0, playing: true, fps: 30 });
  await page().waitForFunction(() => (window as unknown as PageWindow).viewerTest.events().frame.length >= 4, undefined, { timeout: 10_000 });
  await set({ playing: false });
  const seen = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.events().frame);
  assert.deepEqual(seen.slice(0, 4), [1, 2, 0, 1]);
});

test('dragging turns the view, wheel zooms, and both report the camera to the host', { skip }, async () => {
  await create({ structure: ethanol });
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.clearEvents());
  const before = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.camera());
  const start = await snapshot();
  const events0 = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.cameraEvents);
  await page().mouse.move(300, 240);
  await page().mouse.down();
  await page().mouse.move(340, 250, { steps: 4 });
  await page().mouse.up();
  const turned = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.camera());
  const distance = (c: typeof before) => Math.hypot(c.position[0] - c.target[0], c.position[1] - c.target[1], c.position[2] - c.target[2]);
  assert.ok(Math.abs(distance(turned) - distance(before)) < 1e-6, 'rotation keeps the distance to the target');
  assert.notDeepEqual(turned.position, before.position);
  assert.notEqual((await snapshot()).url, start.url);
  await page().mouse.wheel(0, -300);
  const zoomed = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.camera());
  assert.ok(distance(zoomed) < 0.9 * distance(turned), `zoom in: ${distance(turned)} -> ${distance(zoomed)}`);
  const events1 = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.cameraEvents);
  assert.ok(events1 - events0 >= 2);
  // A drag is not a click: nothing was picked.
  const events = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.events());
  assert.equal(events.pick.length, 0);
});

test('large structures are turned at half resolution and redrawn sharp once the drag stops', { skip }, async () => {
  // Threshold 0: ethanol takes the large-structure (impostor) path.
  await create({ structure: ethanol }, 0);
  assert.equal(await page().evaluate(() => (window as unknown as PageWindow).viewerTest.drawingBufferWidth()), 640);
  await page().mouse.move(300, 240);
  await page().mouse.down();
  await page().mouse.move(330, 240, { steps: 3 });
  const during = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.drawingBufferWidth());
  await page().mouse.up();
  assert.equal(during, 320);
  await page().waitForFunction(() => (window as unknown as PageWindow).viewerTest.drawingBufferWidth() === 640, undefined, { timeout: 5000 });
  assert.equal(await page().evaluate(() => (window as unknown as PageWindow).viewerTest.pixelRatio()), 1);
  // Small structures always draw at full resolution.
  await create({ structure: ethanol });
  await page().mouse.move(300, 240);
  await page().mouse.down();
  await page().mouse.move(330, 240, { steps: 3 });
  const small = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.drawingBufferWidth());
  await page().mouse.up();
  assert.equal(small, 640);
});

test('a viewer in a container fills it, follows its size and removes its canvas on dispose', { skip }, async () => {
  const result = await page().evaluate((s) => (window as unknown as PageWindow).viewerTest.containerLifecycle(s), { structure: ethanol } as PlainState);
  assert.deepEqual(result.first, [320, 240]);
  assert.deepEqual(result.second, [400, 300]);
  assert.equal(result.canvasesLeft, 0);
  assert.deepEqual(session!.errors, []);
});

test('impostor spheres and bonds (the large-structure path) draw the same molecule as the meshes', { skip }, async () => {
  const meshes = await create({ structure: ethanol });
  const meshImage = await snapshot();
  const impostors = await create({ structure: ethanol }, 0);
  const impostorImage = await snapshot();
  assert.equal(impostors.triangles, 2 * (9 + 8), 'two triangles per atom and per bond');
  assert.ok(meshes.triangles > 20 * impostors.triangles);
  const a = stats(meshImage), b = stats(impostorImage);
  assert.ok(b.red > 500 && b.grey > 1000 && b.white > 1000, JSON.stringify(b));
  assert.ok(Math.abs(a.foreground - b.foreground) < 0.03 * a.foreground, `coverage ${a.foreground} vs ${b.foreground}`);
  let different = 0;
  for (let i = 0; i < meshImage.data.length; i += 4) {
    const d = Math.abs(meshImage.data[i]! - impostorImage.data[i]!) + Math.abs(meshImage.data[i + 1]! - impostorImage.data[i + 1]!) + Math.abs(meshImage.data[i + 2]! - impostorImage.data[i + 2]!);
    if (d > 90) different++;
  }
  assert.ok(different < 0.1 * a.foreground, `${different} of ${a.foreground} molecule pixels differ strongly`);
  // Picking is analytic, so it works the same on impostors.
  const point = await visibleAtomPoint(2);
  assert.ok(point, 'O is visible and picked at its projected centre');
  assert.deepEqual(session!.errors, []);
});

test('dispose frees every geometry, texture and WebGL object the viewer created', { skip }, async () => {
  const live = () => page().evaluate(() => (window as unknown as PageWindow).viewerTest.liveGlObjects());
  const delta = (now: Record<string, number>, before: Record<string, number>) => Object.fromEntries(Object.keys(now).map((k) => [k, now[k]! - before[k]!]));
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dispose());
  // What three's WebGLRenderer itself creates at start-up (its empty sampler textures and scratch framebuffers):
  // tied to the GL context, which a host-provided canvas keeps.
  const before = await live();
  await create({ structure: null });
  const rendererOwn = delta(await live(), before);
  await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dispose());
  const start = await live();
  // 40 atoms > threshold 20: impostor materials first, then the mesh path after shrinking the supercell.
  const info = await create({ structure: crystal, supercell: [2, 2, 2], labels: 'element', selection: [0, 1], measurements: [{ atoms: [0, 1] }, { atoms: [0, 1, 2] }] }, 20);
  assert.ok(info.geometries >= 5, `geometries in use: ${info.geometries}`);
  assert.ok(info.textures >= 5, `textures in use: ${info.textures}`);
  await set({ style: 'wireframe' });
  await set({ style: 'licorice', labels: 'index', supercell: [1, 1, 1] });
  const during = delta(await live(), start);
  assert.ok(during['Buffer']! > 10 && during['Texture']! > rendererOwn['Texture']!, JSON.stringify(during));
  const disposed = await page().evaluate(() => {
    const api = (window as unknown as PageWindow).viewerTest;
    api.dispose();
    return api.liveGlObjects();
  });
  assert.deepEqual(delta(disposed, start), rendererOwn, `left after dispose ${JSON.stringify(delta(disposed, start))}, renderer's own ${JSON.stringify(rendererOwn)}`);
  for (const kind of ['Buffer', 'VertexArray', 'Program', 'Shader', 'Renderbuffer']) assert.equal(rendererOwn[kind], 0, kind);
});

test('dispose brings renderer.info.memory back to zero geometries and textures', { skip }, async () => {
  await create({ structure: crystal, labels: 'element', measurements: [{ atoms: [0, 1] }], selection: [2] });
  const after = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.dispose());
  assert.ok(after);
  assert.equal(after.geometries, 0);
  assert.equal(after.textures, 0);
  assert.deepEqual(session!.errors, []);
});
