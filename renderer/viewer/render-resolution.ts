/**
 * Interactive resolution for large structures: while the user turns or zooms, the drawing buffer runs at a fraction
 * of the pixel ratio; 250 ms after the motion stops it returns to full resolution and asks for a redraw.
 */
import type { WebGLRenderer } from 'three';

/** Delay (ms) after the last camera motion before full resolution returns. */
export const RESTORE_DELAY_MS = 250;

export class RenderResolution {
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `basePixelRatio`: full-resolution drawing-buffer pixels per CSS pixel; `interactionScale` (0.1 .. 1) its share
   * while moving; `cssSize()` the canvas size now; `redraw` is called when full resolution returns.
   */
  constructor(
    private readonly renderer: WebGLRenderer,
    readonly basePixelRatio: number,
    private readonly interactionScale: number,
    private readonly cssSize: () => readonly [number, number],
    private readonly redraw: () => void,
  ) {}

  /** The camera moved: lower the resolution (when `reduce`) until it rests. */
  moved(reduce: boolean): void {
    if (!reduce || this.interactionScale >= 1) return;
    if (this.timer === null) this.apply(this.basePixelRatio * this.interactionScale);
    else clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.restore();
      this.redraw();
    }, RESTORE_DELAY_MS);
  }

  /** Back to full resolution now (before an export, or at rest). */
  restore(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.apply(this.basePixelRatio);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private apply(ratio: number): void {
    const [width, height] = this.cssSize();
    this.renderer.setPixelRatio(ratio);
    this.renderer.setSize(width, height, false);
  }
}
