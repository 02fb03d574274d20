/**
 * Issue 17's viewer items in web mode (Chromium) at 1280×720 and 1920×1080 (one Vite build for both): coordination
 * polyhedra on rutile, a supercell that belongs to its document, atom-number labels, force arrows of a frame with
 * forces, fixed atoms of a POSCAR's selective dynamics, and MOL2 and PDBQT files listed with all their records; the
 * page never gets wider than the window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, REPO_ROOT } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, openWebApp, type DroppedFile } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-crystal-views-'));

before(async () => {
  if (!skip) await buildWebApp(dist);
});
after(() => rmSync(dist, { recursive: true, force: true }));

const repoFile = (path: string): DroppedFile => ({ name: path.split('/').pop()!, bytes: new Uint8Array(readFileSync(resolve(REPO_ROOT, path))) });
const recordsOf = (referencePath: string) => (JSON.parse(readFileSync(resolve(REPO_ROOT, referencePath), 'utf8')) as { records: unknown[] }).records.length;

/** Two Si atoms in a cubic cell, the one at the centre held by selective dynamics. */
const FIXED_POSCAR = `Si pair, one fixed
1.0
 5.431 0.0 0.0
 0.0 5.431 0.0
 0.0 0.0 5.431
 Si
 2
Selective dynamics
Direct
 0.50 0.50 0.50 F F F
 0.25 0.25 0.25 T T T
`;

async function activateTab(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="doc-tab"]:has(.name:text-is("${name}"))`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="doc-tab"][aria-selected="true"] .name')?.textContent === n, name);
}

async function dropAndShow(page: Page, file: DroppedFile): Promise<void> {
  await dropFiles(page, [file]);
  await page.waitForSelector(`[data-testid="doc-tab"]:has(.name:text-is("${file.name}"))`, { timeout: 60_000 });
  await activateTab(page, file.name);
}

const info = (page: Page) => page.evaluate(() => window.__equimolDebug!.viewer!.getInfo());
/** Waits until the supercell inputs (shown once the crystal's structure is in) read `expected`. */
async function expectSupercell(page: Page, expected: string, what: string): Promise<void> {
  const read = () => page.$$eval('label[title="Supercell repeats along a, b, c"] input', (inputs) => inputs.map((i) => (i as HTMLInputElement).value).join('×'));
  await page
    .waitForFunction((want) => [...document.querySelectorAll('label[title="Supercell repeats along a, b, c"] input')].map((i) => (i as HTMLInputElement).value).join('×') === want, expected, { timeout: 10_000 })
    .catch(async () => assert.fail(`${what}: supercell ${await read()}, expected ${expected}`));
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`${width}×${height}: polyhedra, a supercell per document, atom numbers, force arrows, fixed atoms, MOL2 and PDBQT, inside the window`, { skip, timeout: 120_000 }, async () => {
    const app = await openWebApp({ width, height, distDir: dist });
    try {
      const page = app.page;
      page.setDefaultTimeout(30_000);
      // Rutile: TiO6 octahedra on the 8 corner Ti images and the body centre.
      await dropAndShow(page, repoFile('assets/examples/rutile.cif'));
      await page.waitForSelector('[data-testid="cell-button"].active');
      await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 6);
      // On by default for a crystal; the button turns them off and on.
      await page.waitForSelector('[data-testid="polyhedra-button"].active');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().polyhedra === 9);
      await page.click('[data-testid="polyhedra-button"]');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().polyhedra === 0);
      await page.click('[data-testid="polyhedra-button"]');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().polyhedra === 9);
      await assertNoHorizontalOverflow(page, 'rutile with polyhedra');
      // A 2×1×1 supercell on rutile stays with rutile: rock salt opened next shows 1×1×1.
      const single = (await info(page)).atomInstances;
      await page.fill('label[title="Supercell repeats along a, b, c"] input >> nth=0', '2');
      await page.waitForFunction((n) => window.__equimolDebug!.viewer!.getInfo().atomInstances > n, single);
      await dropAndShow(page, repoFile('assets/examples/nacl.cif'));
      await expectSupercell(page, '1×1×1', 'rock salt opened after the rutile supercell');
      await activateTab(page, 'rutile.cif');
      await expectSupercell(page, '2×1×1', 'back on rutile');
      await assertNoHorizontalOverflow(page, 'rutile as a supercell');
      // Cu13 MD frames carry forces: labels as atom numbers, then force arrows on and off.
      await dropAndShow(page, repoFile('assets/examples/cu13-md.extxyz'));
      await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 13);
      const texturesBefore = (await info(page)).textures;
      await page.click('[data-testid="labels-button"]');
      await page.click('[data-testid="labels-button"]');
      assert.equal((await page.textContent('[data-testid="labels-button"]'))?.trim(), 'Labels #');
      // 13 distinct numbers are 13 label textures (element labels would be one: "Cu").
      await page.waitForFunction((n) => window.__equimolDebug!.viewer!.getInfo().textures >= n + 12, texturesBefore);
      await page.click('[data-testid="forces-button"]');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().forceArrows > 0);
      assert.ok((await info(page)).forceArrows <= 13);
      await assertNoHorizontalOverflow(page, 'labels and force arrows');
      await page.click('[data-testid="forces-button"]');
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().forceArrows === 0);
      // Selective dynamics: the fixed atom is marked, the free one is not.
      await dropAndShow(page, { name: 'POSCAR-fixed', bytes: new TextEncoder().encode(FIXED_POSCAR) });
      await page.waitForFunction(() => window.__equimolDebug?.viewer?.getInfo().atoms === 2);
      await page.waitForFunction(() => window.__equimolDebug!.viewer!.getInfo().fixedMarkers === 1);
      // MOL2 (Tripos) and PDBQT files are listed with every record.
      for (const [path, reference] of [
        ['test/fixtures/mol2/molecules.mol2', 'test/fixtures/mol2/molecules.reference.json'],
        ['test/fixtures/pdbqt/ligands.pdbqt', 'test/fixtures/pdbqt/ligands.reference.json'],
      ] as const) {
        await dropAndShow(page, repoFile(path));
        await page.waitForFunction((n) => document.querySelector('[data-testid="structure-count"]')?.textContent === String(n), recordsOf(reference));
        await page.waitForFunction(() => (window.__equimolDebug?.viewer?.getInfo().atoms ?? 0) > 0);
      }
      await assertNoHorizontalOverflow(page, 'with seven files open');
      assert.deepEqual(app.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no page or worker errors');
    } finally {
      await app.close();
    }
  });
}
