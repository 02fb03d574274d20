// Force arrows and fixed-atom markers drawn by the viewer in headless Chromium (WebGL on SwiftShader).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumAvailable, chromiumSkipReason, openBrowserPage, pngDataUrlToPixels, type BrowserPage } from '../helpers/browser';
import type { PlainState, PlainStructure, ViewerTestApi } from './pages/viewer-page';

type PageWindow = { viewerTest: ViewerTestApi };
const skip = chromiumSkipReason();
let session: BrowserPage | null = null;

before(async () => {
  if (chromiumAvailable()) session = await openBrowserPage({ entry: 'test/viewer/pages/viewer-page.ts', readyGlobal: 'viewerPageReady', width: 640, height: 480 });
});
after(async () => {
  await session?.close();
});

/** A water molecule with a large force on O along +y and on H1 along +x (eV/Å), H2 fixed by move_mask. */
const water: PlainStructure = {
  name: 'water',
  numbers: [8, 1, 1],
  positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0],
  floatArrays: { forces: { width: 3, data: [0, 2.5, 0, 1.5, 0, 0, 0, 0, 0] } },
  boolArrays: { move_mask: { width: 3, data: [1, 1, 1, 1, 1, 1, 0, 0, 0] } },
};

/** Pixels of the arrows' green (light theme 0x16a34a, lit) and the markers' violet (0x7c3aed). */
async function colours(state: PlainState): Promise<{ green: number; violet: number; info: { forceArrows: number; fixedMarkers: number } }> {
  const page = session!.page;
  const info = await page.evaluate((s) => (window as unknown as PageWindow).viewerTest.create(s), state);
  const url = await page.evaluate(() => (window as unknown as PageWindow).viewerTest.dataURL());
  const { data } = await pngDataUrlToPixels(page, url);
  let green = 0, violet = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
    if (g > 110 && g - r > 50 && g - b > 30) green++;
    if (b > 150 && r > 80 && g < 110 && b - g > 80) violet++;
  }
  return { green, violet, info };
}

test('forceArrows draws one green arrow per atom with a force; null draws none', { skip }, async () => {
  const camera = { position: [0.3, 0.4, 14], target: [0.3, 0.4, 0], up: [0, 1, 0], fov: 30 } as const;
  const off = await colours({ structure: water, camera, forceArrows: null });
  const on = await colours({ structure: water, camera, forceArrows: { scale: 1 } });
  assert.equal(off.info.forceArrows, 0);
  assert.equal(on.info.forceArrows, 2);
  assert.ok(on.green > off.green + 400, `arrows add green pixels: ${off.green} -> ${on.green}`);
  const longer = await colours({ structure: water, camera, forceArrows: { scale: 2 } });
  assert.ok(longer.green > on.green * 1.3, `twice the scale, longer arrows: ${on.green} -> ${longer.green}`);
});

test('atoms fixed by move_mask and by state.fixedAtoms get wire-cube markers', { skip }, async () => {
  const camera = { position: [0.3, 0.4, 14], target: [0.3, 0.4, 0], up: [0, 1, 0], fov: 30 } as const;
  const fromMask = await colours({ structure: water, camera });
  assert.equal(fromMask.info.fixedMarkers, 1);
  assert.ok(fromMask.violet > 30, `marker lines are drawn: ${fromMask.violet} violet pixels`);
  const both = await colours({ structure: water, camera, fixedAtoms: [0] });
  assert.equal(both.info.fixedMarkers, 2);
  const none = await colours({ structure: { ...water, boolArrays: {} }, camera });
  assert.equal(none.info.fixedMarkers, 0);
  assert.ok(none.violet < fromMask.violet / 4, `no markers without fixed atoms: ${none.violet}`);
});

test('arrows follow the shown trajectory frame', { skip }, async () => {
  const still = { ...water, floatArrays: { forces: { width: 3, data: [0, 0, 0, 0, 0, 0, 0, 0, 0] } } };
  const page = session!.page;
  const first = await page.evaluate((s) => (window as unknown as PageWindow).viewerTest.create(s), { frames: [water, still], frame: 0, forceArrows: { scale: 1 } } as PlainState);
  assert.equal(first.forceArrows, 2);
  const second = await page.evaluate(() => (window as unknown as PageWindow).viewerTest.set({ frame: 1 }));
  assert.equal(second.forceArrows, 0);
});
