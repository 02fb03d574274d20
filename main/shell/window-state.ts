/**
 * Remembers the main window's bounds and maximized state in a small JSON file in userData. Parsing is
 * defensive (a corrupt or hand-edited file falls back to defaults) and restored bounds are moved back onto a
 * visible display when the monitor they were on is gone.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_BOUNDS, MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH, type WindowBounds } from './window-config';

export interface WindowState {
  readonly bounds: WindowBounds;
  readonly maximized: boolean;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { bounds: DEFAULT_BOUNDS, maximized: false };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e6;

/** A WindowState from parsed JSON, or undefined when anything is missing or out of range. */
export function parseWindowState(value: unknown): WindowState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { bounds, maximized } = value as { bounds?: unknown; maximized?: unknown };
  if (typeof bounds !== 'object' || bounds === null || typeof maximized !== 'boolean') return undefined;
  const { x, y, width, height } = bounds as Record<string, unknown>;
  if (!isInt(width) || !isInt(height) || width < MIN_WINDOW_WIDTH || height < MIN_WINDOW_HEIGHT) return undefined;
  if ((x !== undefined && !isInt(x)) || (y !== undefined && !isInt(y))) return undefined;
  return { bounds: { ...(isInt(x) && isInt(y) ? { x, y } : {}), width, height }, maximized };
}

/**
 * Bounds that are visible on the given displays (work areas): kept when at least 100 x 50 px of the title
 * area overlaps a display; otherwise centred on the first display and shrunk to fit.
 */
export function fitToDisplays(bounds: WindowBounds, displays: readonly Rect[]): WindowBounds {
  if (displays.length === 0) return bounds;
  if (bounds.x !== undefined && bounds.y !== undefined) {
    const title: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: 50 };
    const visible = displays.some((d) => {
      const w = Math.min(title.x + title.width, d.x + d.width) - Math.max(title.x, d.x);
      const h = Math.min(title.y + title.height, d.y + d.height) - Math.max(title.y, d.y);
      return w >= 100 && h >= 50;
    });
    if (visible) return bounds;
  }
  const d = displays[0]!;
  const width = Math.max(MIN_WINDOW_WIDTH, Math.min(bounds.width, d.width));
  const height = Math.max(MIN_WINDOW_HEIGHT, Math.min(bounds.height, d.height));
  return { x: d.x + Math.round((d.width - width) / 2), y: d.y + Math.round((d.height - height) / 2), width, height };
}

export function loadWindowState(file: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8'))) ?? DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2));
  renameSync(temp, file);
}
