// Image export in real headless Chromium (WebGL on SwiftShader): 2x and 4x PNGs of the canvas, a transparent
// background (alpha 0 in the corner, 255 otherwise), a clear error past the GPU limit, and the view unchanged after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, pngDataUrlToPixels, type BrowserPage } from '../helpers/browser';
import type { ImageExportOptions } from '../../renderer/viewer/viewer-api';
import { readFrames, toPlain } from './load-dataset';
import type { PlainState, ViewerTestApi } from './pages/viewer-page';

type PageWindow = { viewerTest: ViewerTestApi };
const skip = chromiumSkipReason();
let session: BrowserPage | null = null;
const ethanol = toPlain(readFrames('botnet_ethanol_rmd17/test_MD.extxyz.gz', 1)[0]!);

before(async () => {
  if (chromiumAvailable()) session = await openBrowserPage({ entry: 'test/viewer/pages/viewer-page.ts', readyGlobal: 'viewerPageReady', width: 640, height: 480 });
});
after(async () => {
  await session?.close();
});

const page = () => session!.page;
const create = (state: PlainState) => page().evaluate((s) => (window as unknown as PageWindow).viewerTest.create(s), state);
const exportImage = (options: ImageExportOptions) => page().evaluate((o) => (window as unknown as PageWindow).viewerTest.exportImage(o), options);
const dataURL = () => page().evaluate(() => (window as unknown as PageWindow).viewerTest.dataURL());

test('2x and 4x exports are twice and four times the canvas in each direction, opaque on the background colour', { skip }, async () => {
  await create({ structure: ethanol });
  const one = await exportImage({});
  assert.deepEqual([one.width, one.height], [640, 480]);
  assert.deepEqual(one.canvas, [640, 480]);
  const two = await exportImage({ scale: 2 });
  assert.deepEqual([two.width, two.height], [1280, 960]);
  const four = await exportImage({ scale: 4 });
  assert.deepEqual([four.width, four.height], [2560, 1920]);
  for (const image of [one, two, four]) {
    assert.equal(image.type, 'image/png');
    assert.deepEqual(image.corner, [255, 255, 255, 255], 'white light-theme background, alpha 255');
    assert.equal(image.clear, 0, 'no transparent pixel');
  }
  assert.deepEqual(four.canvas, [640, 480], 'the canvas is back to its size');
  assert.deepEqual(session!.errors, []);
});

test('a transparent export clears to alpha 0 around the molecule and keeps the molecule opaque', { skip }, async () => {
  await create({ structure: ethanol, theme: 'dark' });
  const image = await exportImage({ scale: 2, transparent: true });
  assert.deepEqual([image.width, image.height], [1280, 960]);
  assert.equal(image.corner[3], 0, 'corner alpha');
  const total = image.width * image.height;
  assert.ok(image.clear > 0.5 * total && image.clear < 0.97 * total, `${image.clear} of ${total} pixels transparent: background clear, molecule drawn`);
  const drawn = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.drawnCorner());
  assert.deepEqual(drawn, [0x16, 0x18, 0x1d, 255], 'the next normal frame has the opaque dark background again');
  const opaque = await exportImage({ scale: 1 });
  assert.deepEqual(opaque.corner, [0x16, 0x18, 0x1d, 255], 'an opaque export after a transparent one');
});

test('after an export the viewer draws the same picture at the same resolution as before', { skip }, async () => {
  await create({ structure: ethanol, labels: 'element', measurements: [{ atoms: [0, 2] }] });
  const before = await dataURL();
  await exportImage({ scale: 4, transparent: true });
  const ratio = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.pixelRatio());
  assert.equal(ratio, 1);
  assert.deepEqual(await page().evaluate(() => (window as unknown as PageWindow).viewerTest.drawnCorner()), [255, 255, 255, 255], 'a normal frame is opaque');
  const after = await dataURL();
  assert.equal(after, before, 'identical PNG of the normal view');
  const { width, height, data } = await pngDataUrlToPixels(page(), after);
  assert.deepEqual([width, height, data[3]], [640, 480, 255]);
});

test('an export past the GPU limit fails with a message naming the size and limit, and the view is unharmed', { skip }, async () => {
  await create({ structure: ethanol });
  const { maxSide } = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.exportSize({ scale: 4 }));
  assert.ok(maxSide >= 2048, `GPU limit ${maxSide}`);
  const wide = Math.ceil(maxSide / 4) + 8;
  await page().evaluate(([w]) => (window as unknown as PageWindow).viewerTest.resize(w, 100), [wide] as const);
  const size = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.exportSize({ scale: 4 }));
  assert.equal(size.fits, false);
  const error = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.exportError({ scale: 4 }));
  assert.equal(error, `RangeError: a 4× image of this view would be ${wide * 4} × 400 pixels, larger than this GPU's limit of ${maxSide} pixels per side; choose a smaller scale or make the viewer smaller`);
  const two = await exportImage({ scale: 2 });
  assert.deepEqual([two.width, two.height], [2 * wide, 200], 'a smaller scale still works');
  assert.equal(await page().evaluate(() => (window as unknown as PageWindow).viewerTest.exportError({ scale: 3 as 2 })), 'RangeError: image scale must be 1, 2 or 4, got 3');
  const canvas = await page().evaluate(() => (window as unknown as PageWindow).viewerTest.resize(640, 480));
  assert.deepEqual(canvas, [640, 480]);
  assert.deepEqual(session!.errors, []);
});

test("an explicit resize made before the viewer's first resize-observer callback is not undone by it", { skip }, async () => {
  const width = await page().evaluate(async (s) => {
    const api = (window as unknown as PageWindow).viewerTest;
    await api.create(s);
    api.resize(900, 100);
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return api.exportSize({ scale: 1 }).width;
  }, { structure: ethanol } as PlainState);
  assert.equal(width, 900);
  assert.deepEqual(await page().evaluate(() => (window as unknown as PageWindow).viewerTest.resize(640, 480)), [640, 480]);
});
