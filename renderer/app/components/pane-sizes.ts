/**
 * The resizable panes' sizes, without the DOM: each pane's limits, the clamp that keeps the 3D view at least
 * VIEWER_MIN_WIDTH × VIEWER_MIN_HEIGHT, the keyboard steps, and the sizes kept in Settings.layout
 * ('pane.left', 'pane.right', 'pane.bottom', in CSS pixels).
 */
import type { LayoutState } from '../../../core/contract/equimol-api';

export type Pane = 'left' | 'right' | 'bottom';
export const PANES: readonly Pane[] = ['left', 'right', 'bottom'];

export interface PaneSpec {
  /** Its Settings.layout key. */
  readonly key: string;
  /** 'x': a column's width; 'y': the bottom area's height. */
  readonly axis: 'x' | 'y';
  /** +1 when the pane grows as its splitter moves right/down (the left pane), -1 when it shrinks. */
  readonly sign: 1 | -1;
  readonly min: number;
  readonly max: number;
  /** The splitter's accessible name. */
  readonly label: string;
}

export const PANE_SPECS: Readonly<Record<Pane, PaneSpec>> = {
  left: { key: 'pane.left', axis: 'x', sign: 1, min: 220, max: 720, label: 'Resize the structure list' },
  right: { key: 'pane.right', axis: 'x', sign: -1, min: 220, max: 640, label: 'Resize the properties panel' },
  bottom: { key: 'pane.bottom', axis: 'y', sign: -1, min: 72, max: 1600, label: 'Resize the panels under the viewer' },
};

/** The 3D view never gets narrower or lower than this (CSS pixels) by resizing a pane. */
export const VIEWER_MIN_WIDTH = 400;
export const VIEWER_MIN_HEIGHT = 180;
/** Arrow-key steps (CSS pixels): plain and with Shift. */
export const KEY_STEP = 16;
export const KEY_STEP_LARGE = 64;

/** The room the panes share: the workspace's width with the two side columns' current widths, and the centre column's height under its toolbar. */
export interface PaneSpace {
  readonly width: number;
  readonly left: number;
  readonly right: number;
  readonly height: number;
}

export type PaneSizes = Readonly<Partial<Record<Pane, number>>>;

export interface PaneLimits {
  readonly min: number;
  readonly max: number;
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number of pixels, got ${value}`);
  return value;
}

/** The sizes `pane` may take in `space`: its own limits, and no larger than leaves the viewer its minimum (never below its min). */
export function paneLimits(pane: Pane, space: PaneSpace): PaneLimits {
  const spec = PANE_SPECS[pane];
  const room =
    pane === 'left'
      ? finite(space.width, 'the workspace width') - finite(space.right, 'the right pane width') - VIEWER_MIN_WIDTH
      : pane === 'right'
        ? finite(space.width, 'the workspace width') - finite(space.left, 'the left pane width') - VIEWER_MIN_WIDTH
        : finite(space.height, 'the centre height') - VIEWER_MIN_HEIGHT;
  return { min: spec.min, max: Math.max(spec.min, Math.min(spec.max, Math.floor(room))) };
}

/** `size` rounded to a whole pixel and clamped to `pane`'s limits in `space`. */
export function clampPaneSize(pane: Pane, size: number, space: PaneSpace): number {
  const { min, max } = paneLimits(pane, space);
  return Math.min(max, Math.max(min, Math.round(finite(size, `the ${pane} pane size`))));
}

/**
 * Every size of `sizes` clamped in `space`, the left pane first and the right pane against the left one's
 * clamped width (a size not given is the pane's current one in `space`, left as it is).
 */
export function clampPaneSizes(sizes: PaneSizes, space: PaneSpace): PaneSizes {
  const out: Partial<Record<Pane, number>> = {};
  if (sizes.left !== undefined) out.left = clampPaneSize('left', sizes.left, { ...space, right: sizes.right ?? space.right });
  if (sizes.right !== undefined) out.right = clampPaneSize('right', sizes.right, { ...space, left: out.left ?? space.left });
  if (sizes.bottom !== undefined) out.bottom = clampPaneSize('bottom', sizes.bottom, space);
  return out;
}

/** The size `pane` gets when its splitter is dragged `delta` pixels (right/down positive) from where `start` was, clamped. */
export function draggedSize(pane: Pane, start: number, delta: number, space: PaneSpace): number {
  return clampPaneSize(pane, start + PANE_SPECS[pane].sign * delta, space);
}

/**
 * The size a key on `pane`'s focused splitter gives: the arrows along its axis move the splitter by KEY_STEP
 * (KEY_STEP_LARGE with Shift), Home and End go to the limits; undefined for any other key.
 */
export function keyedSize(pane: Pane, key: string, shift: boolean, current: number, space: PaneSpace): number | undefined {
  const spec = PANE_SPECS[pane];
  const limits = paneLimits(pane, space);
  if (key === 'Home') return limits.min;
  if (key === 'End') return limits.max;
  const forward = spec.axis === 'x' ? 'ArrowRight' : 'ArrowDown';
  const back = spec.axis === 'x' ? 'ArrowLeft' : 'ArrowUp';
  if (key !== forward && key !== back) return undefined;
  const step = (shift ? KEY_STEP_LARGE : KEY_STEP) * (key === forward ? 1 : -1);
  return draggedSize(pane, current, step, space);
}

/** The pane sizes kept in a Settings.layout record: positive finite numbers under the panes' keys; anything else is ignored. */
export function storedPaneSizes(layout: LayoutState): PaneSizes {
  const out: Partial<Record<Pane, number>> = {};
  for (const pane of PANES) {
    const value = layout[PANE_SPECS[pane].key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[pane] = Math.round(value);
  }
  return out;
}

/** `layout` with `pane`'s size set (a whole pixel), or its key removed when `size` is undefined (reset); other keys kept. */
export function withPaneSize(layout: LayoutState, pane: Pane, size: number | undefined): LayoutState {
  const key = PANE_SPECS[pane].key;
  const rest = Object.fromEntries(Object.entries(layout).filter(([k]) => k !== key));
  return size === undefined ? rest : { ...rest, [key]: Math.round(finite(size, `the ${pane} pane size`)) };
}
