// Image export without a GPU: option checks, export sizes against the GPU limit, data URLs, and that the
// export frame always restores the view (size, pixel ratio, background), on success and on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebGLRenderer } from 'three';
import { dataUrlBytes, exportSizeOf, imageExportSize, maxExportSide, normalizeImageExportOptions, tooLargeMessage, withExportFrame, type ExportHost } from '../../renderer/viewer/image-export';
import type { ImageScale } from '../../renderer/viewer/viewer-api';

test('export options default to the canvas resolution on the opaque background', () => {
  assert.deepEqual(normalizeImageExportOptions(), { scale: 1, transparent: false });
  assert.deepEqual(normalizeImageExportOptions({ scale: 4, transparent: true }), { scale: 4, transparent: true });
});

test('a scale other than 1, 2 or 4 and a non-boolean transparent flag are refused with a message naming the value', () => {
  assert.throws(() => normalizeImageExportOptions({ scale: 3 as ImageScale }), /image scale must be 1, 2 or 4, got 3/);
  assert.throws(() => normalizeImageExportOptions({ scale: 0.5 as ImageScale }), /got 0\.5/);
  assert.throws(() => normalizeImageExportOptions({ transparent: 'yes' as unknown as boolean }), /'transparent' must be true or false, got yes/);
});

test('the export size is scale x the drawing buffer (CSS size x pixel ratio, floored as three sizes it)', () => {
  assert.deepEqual(imageExportSize(800, 600, 1, 2, 8192), { width: 1600, height: 1200, scale: 2, maxSide: 8192, fits: true });
  assert.deepEqual(imageExportSize(800, 600, 2, 4, 8192), { width: 6400, height: 4800, scale: 4, maxSide: 8192, fits: true });
  const odd = imageExportSize(333, 201, 1.5, 2, 8192);
  assert.equal(odd.width, 999);
  assert.equal(odd.height, 603);
});

test('an export wider or taller than the GPU limit does not fit and its message names the size and the limit', () => {
  const size = imageExportSize(1200, 700, 2, 4, 8192);
  assert.equal(size.fits, false);
  assert.equal(size.width, 9600);
  assert.equal(tooLargeMessage(size), "a 4× image of this view would be 9600 × 5600 pixels, larger than this GPU's limit of 8192 pixels per side; choose a smaller scale or make the viewer smaller");
  assert.equal(imageExportSize(100, 2049, 1, 4, 8192).fits, false, 'height alone over the limit');
  assert.equal(imageExportSize(2048, 2048, 1, 4, 8192).fits, true, 'exactly the limit fits');
});

/** A WebGL context stub with the given limits and a drawing buffer that follows the renderer's size (capped at `cap`). */
function fakeRenderer(limits: { renderbuffer: number; texture: number; viewport: [number, number] }, cap = Infinity) {
  const calls: string[] = [];
  let ratio = 1;
  const gl = {
    MAX_RENDERBUFFER_SIZE: 1,
    MAX_TEXTURE_SIZE: 2,
    MAX_VIEWPORT_DIMS: 3,
    drawingBufferWidth: 0,
    drawingBufferHeight: 0,
    getParameter(p: number) {
      return p === 1 ? limits.renderbuffer : p === 2 ? limits.texture : p === 3 ? Int32Array.from(limits.viewport) : null;
    },
  };
  const renderer = {
    getContext: () => gl,
    setPixelRatio(r: number) {
      ratio = r;
      calls.push(`ratio ${r}`);
    },
    setSize(w: number, h: number, updateStyle: boolean) {
      gl.drawingBufferWidth = Math.min(cap, Math.floor(w * ratio));
      gl.drawingBufferHeight = Math.min(cap, Math.floor(h * ratio));
      calls.push(`size ${w}x${h} ${updateStyle}`);
    },
  };
  return { renderer: renderer as unknown as WebGLRenderer, gl, calls };
}

function fakeHost(renderer: WebGLRenderer, calls: string[], gl: { drawingBufferWidth: number; drawingBufferHeight: number }): ExportHost & { transparent: boolean } {
  const host = {
    renderer,
    canvas: { toDataURL: () => `data:image/png;base64,${btoa(`${gl.drawingBufferWidth}x${gl.drawingBufferHeight}`)}` } as unknown as HTMLCanvasElement,
    cssSize: [400, 300] as const,
    pixelRatio: 1,
    transparent: false,
    setTransparent(t: boolean) {
      host.transparent = t;
      calls.push(`transparent ${t}`);
    },
    draw() {
      calls.push(`draw ${gl.drawingBufferWidth}x${gl.drawingBufferHeight}${host.transparent ? ' transparent' : ''}`);
    },
  };
  return host;
}

test('the GPU limit is the smallest of the renderbuffer, texture and viewport limits', () => {
  const { gl } = fakeRenderer({ renderbuffer: 16384, texture: 8192, viewport: [32767, 16384] });
  assert.equal(maxExportSide(gl as unknown as WebGL2RenderingContext), 8192);
  const { gl: small } = fakeRenderer({ renderbuffer: 16384, texture: 16384, viewport: [4096, 4096] });
  assert.equal(maxExportSide(small as unknown as WebGL2RenderingContext), 4096);
});

test('a 2x transparent export draws at twice the size without the background, then restores size, ratio and background and redraws', () => {
  const { renderer, gl, calls } = fakeRenderer({ renderbuffer: 8192, texture: 8192, viewport: [8192, 8192] });
  const host = fakeHost(renderer, calls, gl);
  const url = withExportFrame(host, { scale: 2, transparent: true }, (canvas) => canvas.toDataURL());
  assert.equal(new TextDecoder().decode(dataUrlBytes(url)), '800x600', 'read while the buffer was 2x');
  assert.deepEqual(calls, ['ratio 2', 'size 400x300 false', 'transparent true', 'draw 800x600 transparent', 'transparent false', 'ratio 1', 'size 400x300 false', 'draw 400x300']);
  assert.equal(host.transparent, false);
});

test('a 1x export leaves the drawing buffer alone and draws twice (the export, then the normal view)', () => {
  const { renderer, gl, calls } = fakeRenderer({ renderbuffer: 8192, texture: 8192, viewport: [8192, 8192] });
  renderer.setSize(400, 300, false);
  calls.length = 0;
  withExportFrame(fakeHost(renderer, calls, gl), undefined, () => null);
  assert.deepEqual(calls, ['transparent false', 'draw 400x300', 'transparent false', 'draw 400x300']);
});

test('an export over the GPU limit throws before touching the view', () => {
  const { renderer, gl, calls } = fakeRenderer({ renderbuffer: 1024, texture: 8192, viewport: [8192, 8192] });
  const host = fakeHost(renderer, calls, gl);
  assert.equal(exportSizeOf(host, { scale: 4 }).fits, false);
  assert.throws(() => withExportFrame(host, { scale: 4 }, () => null), { name: 'RangeError', message: /1600 × 1200 pixels, larger than this GPU's limit of 1024 pixels per side/ });
  assert.deepEqual(calls, []);
});

test('a drawing buffer smaller than asked (the browser ran out of memory) is an error, and the view is restored', () => {
  const { renderer, gl, calls } = fakeRenderer({ renderbuffer: 8192, texture: 8192, viewport: [8192, 8192] }, 1000);
  const host = fakeHost(renderer, calls, gl);
  assert.throws(() => withExportFrame(host, { scale: 4 }, () => null), /could not allocate a 1600 × 1200 image \(it gave 1000 × 1000\)/);
  assert.deepEqual(calls.slice(-4), ['transparent false', 'ratio 1', 'size 400x300 false', 'draw 400x300']);
});

test('a reader that throws still gets the view restored', () => {
  const { renderer, gl, calls } = fakeRenderer({ renderbuffer: 8192, texture: 8192, viewport: [8192, 8192] });
  const host = fakeHost(renderer, calls, gl);
  assert.throws(() => withExportFrame(host, { scale: 2, transparent: true }, () => {
    throw new Error('encoder failed');
  }), /encoder failed/);
  assert.equal(host.transparent, false);
  assert.deepEqual(calls.slice(-3), ['ratio 1', 'size 400x300 false', 'draw 400x300']);
});

test('data URL bytes decode base64 and refuse anything else', () => {
  assert.deepEqual(Array.from(dataUrlBytes('data:image/png;base64,iVBORw==')), [0x89, 0x50, 0x4e, 0x47]);
  assert.throws(() => dataUrlBytes('data:text/plain,hello'), /not a base64 data URL/);
  assert.throws(() => dataUrlBytes('iVBORw=='), /not a base64 data URL/);
});

test('export file names are file-safe and say the scale and transparency', async () => {
  const { imageFileName } = await import('../../renderer/app/commands/image-export');
  assert.equal(imageFileName('aspirin', { scale: 1, transparent: false }), 'aspirin.png');
  assert.equal(imageFileName('frame 3/10: CH4', { scale: 4, transparent: true }), 'frame_3_10_CH4@4x-transparent.png');
  assert.equal(imageFileName('', { scale: 2, transparent: false }), 'structure@2x.png');
  assert.equal(imageFileName('***', { scale: 1, transparent: true }), 'structure-transparent.png');
});
