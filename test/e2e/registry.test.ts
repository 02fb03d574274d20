/**
 * Issue 17: a panel, a command and a dialog contributed only through the registry (test/e2e/registry-probe-panel.tsx,
 * added to this test's build by a plugin, not shipped) appear in web mode in Chromium at 1280×720 and 1920×1080 and
 * receive the active document and the selection; the built-in viewer toolbar keeps the buttons and order app.tsx used to
 * wire by hand; the page is never wider than the window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Plugin } from 'vite';
import { chromiumSkipReason } from '../helpers/browser';
import { assertNoHorizontalOverflow, buildWebApp, dropFiles, openWebApp, REPO_ROOT, type WebApp } from './web-app-harness';

const skip = chromiumSkipReason();
const dist = mkdtempSync(join(tmpdir(), 'equimol-registry-'));
const PROBE = resolve(REPO_ROOT, 'test/e2e/registry-probe-panel.tsx');

/** Appends the probe's import to contributions.ts, the way a shipped contribution adds its line. */
const probePlugin: Plugin = {
  name: 'equimol-test-registry-probe',
  enforce: 'pre',
  transform(code, id) {
    return id.endsWith('renderer/app/panels/contributions.ts') ? `${code}\nimport ${JSON.stringify(PROBE)};\n` : null;
  },
};

/** Three water molecules named w1..w3 (XYZ, Å). */
const WATERS = [1, 2, 3].map((k) => `3\nw${k}\nO 0 0 ${k}\nH 0.96 0 ${k}\nH -0.24 0.93 ${k}\n`).join('');

let app: WebApp | undefined;
before(async () => {
  if (skip) return;
  await buildWebApp(dist, undefined, [probePlugin]);
});
after(() => rmSync(dist, { recursive: true, force: true }));

const page = () => app!.page;
const probe = (attribute: string) => page().getAttribute('[data-testid="registry-probe"]', attribute);

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${width}×${height}`, () => {
    before(async () => {
      if (!skip) app = await openWebApp({ distDir: dist, width, height });
    });
    after(async () => {
      await app?.close();
      app = undefined;
    });

    test(`${width}×${height}: a registered side panel appears with a document and gets the active document and the selected record`, { skip }, async () => {
      assert.equal(await page().$('[data-testid="registry-probe"]'), null, 'hidden while its when() is false (no document)');
      assert.equal(await page().isDisabled('[data-testid="probe-button"]'), true, 'the command is disabled without a selection');
      await assertNoHorizontalOverflow(page(), 'on open, no document');
      await dropFiles(page(), [{ name: 'waters.xyz', bytes: new TextEncoder().encode(WATERS) }]);
      await page().waitForSelector('[data-testid="side-panel"] [data-testid="registry-probe"]');
      await page().waitForFunction(() => document.querySelector('[data-testid="registry-probe"]')?.getAttribute('data-selected') === '0');
      assert.equal(await probe('data-doc'), 'waters.xyz');
      assert.equal(await probe('data-records'), '3');
      assert.equal(await probe('data-name'), 'w1');
      await assertNoHorizontalOverflow(page(), 'with the file open and the probe panel shown');

      await page().click('[data-testid="structure-table"] [data-row="2"]');
      await page().waitForFunction(() => document.querySelector('[data-testid="registry-probe"]')?.getAttribute('data-selected') === '2');
      assert.equal(await probe('data-name'), 'w3');
    });

    test(`${width}×${height}: a panel's selectRecord selects that record in the list and the viewer`, { skip }, async () => {
      await page().click('[data-testid="registry-probe-select"]');
      await page().waitForFunction(() => document.querySelector('[data-testid="registry-probe"]')?.getAttribute('data-selected') === '1');
      await page().waitForFunction(() => document.querySelector('[data-testid="viewer-caption"] strong')?.textContent === 'w2');
      assert.equal(await probe('data-name'), 'w2');
      assert.match((await page().getAttribute('[data-testid="structure-table"] [data-row="1"]', 'class')) ?? '', /selected/);
    });

    test(`${width}×${height}: a registered command's toolbar button and key open its registered dialog, which sees the selection`, { skip }, async () => {
      assert.equal(await page().isDisabled('[data-testid="probe-button"]'), false);
      await page().click('[data-testid="probe-button"]');
      assert.equal(await page().textContent('[data-testid="probe-dialog-name"]'), 'w2');
      await assertNoHorizontalOverflow(page(), 'with the probe dialog open');
      await page().click('[data-testid="probe-dialog-close"]');
      assert.equal(await page().$('[data-testid="probe-dialog"]'), null);
      await page().keyboard.press('k');
      await page().waitForSelector('[data-testid="probe-dialog"]');
      await page().click('[data-testid="probe-dialog-close"]');
    });

    test(`${width}×${height}: the built-in viewer toolbar keeps its buttons in the order app.tsx had them, the contributed one after Train`, { skip }, async () => {
      const ids = await page().$$eval('.viewer-toolbar [data-testid]', (els) => els.map((e) => e.getAttribute('data-testid')));
      const expected = ['style-ball-and-stick', 'style-spacefill', 'style-licorice', 'style-wireframe', 'measure-button', 'fit-button', 'forces-button', 'relax-button', 'md-button', 'conformers-button', 'generate-button', 'label-button', 'train-button', 'probe-button'];
      assert.deepEqual(ids.filter((id) => expected.includes(id!)), expected);
      assert.deepEqual(app!.errors, []);
    });
  });
}
