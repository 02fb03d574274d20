import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isExternalLinkAllowed,
  isPermissionAllowed,
  mainWindowOptions,
  securityHeaders,
} from '../../main/shell/window-config';

test('the main window is context-isolated, sandboxed and has no Node integration anywhere', () => {
  const options = mainWindowOptions('/app/dist/main/preload.cjs', { x: 10, y: 20, width: 1000, height: 700 });
  const web = options.webPreferences;
  assert.equal(web.preload, '/app/dist/main/preload.cjs');
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.experimentalFeatures, false);
  assert.equal(web.navigateOnDragDrop, false);
  assert.equal(options.show, false);
  assert.deepEqual([options.x, options.y, options.width, options.height], [10, 20, 1000, 700]);
});

test('the content security policy allows only the app itself: no remote hosts, no inline scripts or eval', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name!, values] as const;
  }));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(directives.get('style-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  for (const values of directives.values()) {
    for (const v of values) {
      assert.ok(!/^https?:|^\*$|^ws/.test(v), `remote source ${v}`);
      assert.notEqual(v, "'unsafe-eval'");
    }
  }
  assert.ok(!directives.get('script-src')!.includes("'unsafe-inline'"));
  assert.equal(securityHeaders()['Content-Security-Policy']![0], CONTENT_SECURITY_POLICY);
});

test('navigation is allowed only to the app page itself', () => {
  const app = 'file:///opt/Equimol/resources/app.asar/dist/renderer/index.html';
  assert.equal(isAllowedNavigation(app, app), true);
  assert.equal(isAllowedNavigation(`${app}#/jobs`, app), true);
  assert.equal(isAllowedNavigation('file:///etc/passwd', app), false);
  assert.equal(isAllowedNavigation('https://evil.example/', app), false);
  assert.equal(isAllowedNavigation('javascript:alert(1)', app), false);
  assert.equal(isAllowedNavigation('not a url', app), false);
  const own = 'equimol://app/index.html';
  assert.equal(isAllowedNavigation('equimol://app/index.html#/table', own), true);
  assert.equal(isAllowedNavigation('equimol://other/index.html', own), false);
  assert.equal(isAllowedNavigation('foo://app/index.html', own), false);
  assert.equal(isAllowedNavigation('https://app/index.html', own), false);
  const dev = 'http://localhost:5173/';
  assert.equal(isAllowedNavigation('http://localhost:5173/index.html', dev), true);
  assert.equal(isAllowedNavigation('http://localhost:5174/', dev), false);
});

test('only https links may leave the app, and permissions are denied', () => {
  assert.equal(isExternalLinkAllowed('https://github.com/equimol'), true);
  assert.equal(isExternalLinkAllowed('http://example.com'), false);
  assert.equal(isExternalLinkAllowed('file:///etc/passwd'), false);
  assert.equal(isExternalLinkAllowed('smb://host/share'), false);
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) assert.equal(isPermissionAllowed(p), false, p);
});

test('app URLs resolve inside the UI folder only; traversal and other hosts are refused', async () => {
  const { resolveAppFile, contentTypeOf, APP_INDEX_URL } = await import('../../main/shell/app-protocol');
  const root = '/opt/equimol/dist/web';
  assert.equal(resolveAppFile(APP_INDEX_URL, root), '/opt/equimol/dist/web/index.html');
  assert.equal(resolveAppFile('equimol://app/', root), '/opt/equimol/dist/web/index.html');
  assert.equal(resolveAppFile('equimol://app/assets/index-abc.js?v=1#x', root), '/opt/equimol/dist/web/assets/index-abc.js');
  // Dot segments are normalised by the URL parser and stay inside the root.
  assert.equal(resolveAppFile('equimol://app/../../../etc/passwd', root), '/opt/equimol/dist/web/etc/passwd');
  assert.equal(resolveAppFile('equimol://app/%2e%2e/%2e%2e/etc/passwd', root), '/opt/equimol/dist/web/etc/passwd');
  for (const bad of [
    'equimol://app/assets/..%2f..%2f..%2fsecret',
    'equimol://app/..%2f..%2f..%2fetc/passwd',
    'equimol://app/a%5c..%5c..%5cb',
    'equimol://app/index.html%00.js',
    'equimol://other/index.html',
    'file:///opt/equimol/dist/web/index.html',
    'equimol://app/%E0%A4%A',
  ]) {
    assert.equal(resolveAppFile(bad, root), undefined, bad);
  }
  assert.equal(contentTypeOf('x/y.wasm'), 'application/wasm');
  assert.equal(contentTypeOf('index.HTML'), 'text/html; charset=utf-8');
  assert.equal(contentTypeOf('blob.bin'), 'application/octet-stream');
});
