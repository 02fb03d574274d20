/**
 * Image export: the current view rendered at 1x, 2x or 4x the canvas resolution, optionally on a transparent
 * background. The drawing buffer is enlarged, drawn and read within one task (the browser never composites the
 * enlarged frame), then the normal size, background and picture are restored, whatever happens in between.
 */
import type { WebGLRenderer } from 'three';
import type { ImageExportOptions, ImageExportSize, ImageScale } from './viewer-api';

export const IMAGE_SCALES: readonly ImageScale[] = [1, 2, 4];

/** Options with defaults (scale 1, opaque); throws a clear error for a scale other than 1, 2 or 4. */
export function normalizeImageExportOptions(options: ImageExportOptions = {}): Required<ImageExportOptions> {
  const scale = options.scale ?? 1;
  if (!IMAGE_SCALES.includes(scale)) throw new RangeError(`image scale must be 1, 2 or 4, got ${String(scale)}`);
  const transparent = options.transparent ?? false;
  if (typeof transparent !== 'boolean') throw new TypeError(`image 'transparent' must be true or false, got ${String(transparent)}`);
  return { scale, transparent };
}

/**
 * Pixel size of an export at `scale` of a canvas `cssWidth` x `cssHeight` CSS pixels drawn at `pixelRatio`
 * (drawing-buffer pixels per CSS pixel, as three sizes it: floor(css * ratio)), checked against `maxSide`.
 */
export function imageExportSize(cssWidth: number, cssHeight: number, pixelRatio: number, scale: ImageScale, maxSide: number): ImageExportSize {
  const width = Math.floor(cssWidth * pixelRatio * scale);
  const height = Math.floor(cssHeight * pixelRatio * scale);
  return { width, height, scale, maxSide, fits: width <= maxSide && height <= maxSide };
}

/** The message of an export that does not fit the GPU. */
export function tooLargeMessage(size: ImageExportSize): string {
  return (
    `a ${size.scale}× image of this view would be ${size.width} × ${size.height} pixels, ` +
    `larger than this GPU's limit of ${size.maxSide} pixels per side; choose a smaller scale or make the viewer smaller`
  );
}

/** Largest drawing-buffer side this WebGL context can render to: the smallest of its renderbuffer, texture and viewport limits. */
export function maxExportSide(gl: WebGLRenderingContext | WebGL2RenderingContext): number {
  const viewport = gl.getParameter(gl.MAX_VIEWPORT_DIMS) as ArrayLike<number> | null;
  const limits = [gl.getParameter(gl.MAX_RENDERBUFFER_SIZE), gl.getParameter(gl.MAX_TEXTURE_SIZE), viewport?.[0], viewport?.[1]];
  const known = limits.filter((v): v is number => typeof v === 'number' && v > 0);
  return known.length > 0 ? Math.min(...known) : 4096;
}

/** Bytes of a base64 data URL ('data:image/png;base64,...'). */
export function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) throw new Error('not a base64 data URL');
  const binary = atob(url.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** What an export needs from the viewer. */
export interface ExportHost {
  readonly renderer: WebGLRenderer;
  readonly canvas: HTMLCanvasElement;
  /** Canvas size in CSS pixels. */
  readonly cssSize: readonly [number, number];
  /** Full-resolution drawing-buffer pixels per CSS pixel. */
  readonly pixelRatio: number;
  /** Clear with alpha 0 instead of the background colour (true), or back to the background (false). */
  setTransparent(transparent: boolean): void;
  /** Draws the scene into the drawing buffer now. */
  draw(): void;
}

/** Size of an export of `host`'s view with `options` (validated). */
export function exportSizeOf(host: ExportHost, options?: ImageExportOptions): ImageExportSize {
  const { scale } = normalizeImageExportOptions(options);
  return imageExportSize(host.cssSize[0], host.cssSize[1], host.pixelRatio, scale, maxExportSide(host.renderer.getContext()));
}

/**
 * Draws `host`'s view as `options` asks and returns `read(canvas)` of that frame (read synchronously, before the
 * browser composites: toDataURL, or toBlob, which copies the bitmap when called). Restores the view afterwards.
 */
export function withExportFrame<T>(host: ExportHost, options: ImageExportOptions | undefined, read: (canvas: HTMLCanvasElement) => T): T {
  const { scale, transparent } = normalizeImageExportOptions(options);
  const size = exportSizeOf(host, { scale });
  if (!size.fits) throw new RangeError(tooLargeMessage(size));
  const { renderer, cssSize } = host;
  const gl = renderer.getContext();
  try {
    if (scale !== 1) {
      renderer.setPixelRatio(host.pixelRatio * scale);
      renderer.setSize(cssSize[0], cssSize[1], false);
      // A browser may give a smaller drawing buffer than asked (memory); never hand out a smaller picture.
      if (gl.drawingBufferWidth !== size.width || gl.drawingBufferHeight !== size.height) {
        throw new RangeError(`the browser could not allocate a ${size.width} × ${size.height} image (it gave ${gl.drawingBufferWidth} × ${gl.drawingBufferHeight}); choose a smaller scale`);
      }
    }
    host.setTransparent(transparent);
    host.draw();
    return read(host.canvas);
  } finally {
    host.setTransparent(false);
    if (scale !== 1) {
      renderer.setPixelRatio(host.pixelRatio);
      renderer.setSize(cssSize[0], cssSize[1], false);
    }
    host.draw();
  }
}

/** PNG blob of the canvas' current drawing buffer (the bitmap is copied now, encoded asynchronously). */
export function canvasPngBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  if (typeof canvas.toBlob !== 'function') return Promise.resolve(new Blob([dataUrlBytes(canvas.toDataURL('image/png')) as BlobPart], { type: 'image/png' }));
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the image as PNG'))), 'image/png');
  });
}
