/**
 * The Electron stack minus Electron, in Debian's Chromium: the real UI and the real preload API in a page
 * served with the app's security headers (CSP) through the app-protocol path resolver; IPC carried by a
 * playwright binding into the real ApiRouter (validation, fs) -> ComputeHostClient -> MessagePort ->
 * ComputeHost -> EquimolSession with RDKit depictions. Checks the UI works under the CSP with no violations.
 */
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Browser, Page } from 'playwright-core';
import { EQUIMOL_METHODS, type EquimolEvent } from '../../core/contract/equimol-api';
import { ComputeHost } from '../../main/compute-host/compute-host';
import { ComputeHostClient } from '../../main/compute-host/compute-host-client';
import { createHostSession } from '../../main/compute-host/create-session';
import type { MessageEndpoint } from '../../main/compute-host/protocol';
import { ApiRouter } from '../../main/shell/api-router';
import { contentTypeOf, resolveAppFile } from '../../main/shell/app-protocol';
import { securityHeaders } from '../../main/shell/window-config';
import { bundlePage, chromiumSkipReason, launchChromium, REPO_ROOT, type BundledPage } from '../helpers/browser';
import { decodeWire, encodeWire } from './pages/wire';

const skip = chromiumSkipReason();
const drugsPath = join(REPO_ROOT, 'assets/examples/drugs.sdf');

function endpointOf(port: MessagePort): MessageEndpoint {
  return { post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) };
}

let bundle: BundledPage;
let server: Server;
let browser: Browser;
let page: Page;
let router: ApiRouter;
let host: ComputeHost;
let channel: MessageChannel;
const pageErrors: string[] = [];
const events: EquimolEvent[] = [];

before(async () => {
  if (skip) return;
  channel = new MessageChannel();
  host = new ComputeHost(createHostSession(), endpointOf(channel.port1));
  const client = new ComputeHostClient(endpointOf(channel.port2));
  await client.ready;
  router = new ApiRouter(client, {
    showOpenDialog: async () => [drugsPath],
    showSaveDialog: async () => undefined,
    fileSize: async (path) => (await stat(path)).size,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, bytes) => writeFile(path, bytes),
  });

  bundle = await bundlePage({
    entry: 'test/main/pages/electron-renderer-page.ts',
    bodyHtml: '<div id="root"></div>',
    headHtml: '<link rel="stylesheet" href="./page.css">',
    title: 'Equimol',
  });
  // The app's own page shape: no inline <style> or <script> (the helper's template has an inline style).
  await writeFile(
    join(bundle.dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Equimol</title>' +
      '<link rel="stylesheet" href="./page.css"></head><body><div id="root"></div><script type="module" src="./page.js"></script></body></html>',
  );
  server = createServer((request, response) => {
    const file = resolveAppFile(`equimol://app${new URL(request.url ?? '/', 'http://x').pathname}`, bundle.dir);
    if (!file) return void response.writeHead(404).end();
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': contentTypeOf(file), ...securityHeaders() }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;

  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.exposeFunction('__ipcInvoke', async (channelName: string, args: unknown) =>
    encodeWire(await router.handle(channelName, decodeWire(args) as unknown[])),
  );
  client.subscribe((event) => {
    events.push(event);
    void page.evaluate((payload) => (window as unknown as { __ipcEmit(p: unknown): void }).__ipcEmit(payload), encodeWire(event)).catch(() => undefined);
  });
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.waitForFunction(() => (window as unknown as { rendererPageReady?: boolean }).rendererPageReady === true, undefined, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  await bundle?.dispose();
  host?.dispose();
  channel?.port1.close();
  channel?.port2.close();
});

test('the UI runs under the app CSP: a file opened by the OS shows its structures and an RDKit depiction', { skip, timeout: 120_000 }, async () => {
  await page.waitForSelector('[data-testid="structure-list"]');
  // As main does for argv / open-file: open from disk, then tell the renderer.
  const result = await router.openPaths([drugsPath]);
  assert.equal(result.documents[0]!.recordCount, 20);
  await page.evaluate((payload) => (window as unknown as { __ipcEmit(p: unknown): void }).__ipcEmit(payload), encodeWire({ type: 'files-opened', result }));
  await page.waitForSelector('[data-testid="doc-tab"]:has-text("drugs.sdf")', { timeout: 30_000 });
  const aspirin = page.getByText('aspirin', { exact: true }).first();
  await aspirin.waitFor({ timeout: 30_000 });
  await aspirin.click();
  const img = page.locator('[data-testid="depiction"] img');
  await img.waitFor({ timeout: 60_000 });
  assert.match((await img.getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
  const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  assert.deepEqual(violations, []);
  assert.deepEqual(pageErrors, []);
});

test('window.equimol from the page goes through main-side validation and reaches the compute host', { skip, timeout: 60_000 }, async () => {
  const info = await page.evaluate(() => (window as unknown as { equimol: { getAppInfo(): Promise<{ platform: string }> } }).equimol.getAppInfo());
  assert.equal(info.platform, 'electron');
  const rejected = await page.evaluate(() =>
    (window as unknown as { equimol: { listStructures(d: string, q: unknown): Promise<unknown> } }).equimol
      .listStructures('doc-1', { offset: -1, limit: 10 })
      .then(() => 'resolved', (e: Error) => e.message),
  );
  assert.match(rejected, /query\.offset must be in 0\.\./);
  const keys = await page.evaluate(() => Object.keys((window as unknown as { equimol: object }).equimol).length);
  assert.equal(keys, EQUIMOL_METHODS.length + 1, 'every contract method plus subscribe');
  const docs = await page.evaluate(() => (window as unknown as { equimol: { listDocuments(): Promise<Array<{ id: string }>> } }).equimol.listDocuments());
  const job = await page.evaluate(
    (docId) => (window as unknown as { equimol: { startJob(r: unknown): Promise<{ id: string }> } }).equimol.startJob({ kind: 'predict', docIds: [docId], predictor: 'geometry' }),
    docs[0]!.id,
  );
  for (let i = 0; i < 600 && !events.some((e) => e.type === 'job-progress' && e.progress.id === job.id && e.progress.state === 'done'); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(events.some((e) => e.type === 'job-progress' && e.progress.id === job.id && e.progress.state === 'done'));
  assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
});
