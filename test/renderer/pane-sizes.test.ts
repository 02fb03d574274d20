import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clampPaneSize,
  clampPaneSizes,
  draggedSize,
  keyedSize,
  KEY_STEP,
  KEY_STEP_LARGE,
  PANE_SPECS,
  paneLimits,
  storedPaneSizes,
  VIEWER_MIN_HEIGHT,
  VIEWER_MIN_WIDTH,
  withPaneSize,
  type PaneSpace,
} from '../../renderer/app/components/pane-sizes';

/** A 1280-wide workspace with the ≤1440 px default columns (340 | viewer | 270) and a 480 px centre under the toolbar. */
const SMALL: PaneSpace = { width: 1280, left: 340, right: 270, height: 480 };
/** 3840×2160 with the default columns (400 | viewer | 300). */
const WIDE: PaneSpace = { width: 3840, left: 400, right: 300, height: 1900 };

test('a side pane may not grow past what leaves the viewer its minimum width, nor past its own maximum', () => {
  assert.deepEqual(paneLimits('left', SMALL), { min: PANE_SPECS.left.min, max: 1280 - 270 - VIEWER_MIN_WIDTH });
  assert.deepEqual(paneLimits('right', SMALL), { min: PANE_SPECS.right.min, max: Math.min(PANE_SPECS.right.max, 1280 - 340 - VIEWER_MIN_WIDTH) });
  assert.deepEqual(paneLimits('left', WIDE), { min: PANE_SPECS.left.min, max: PANE_SPECS.left.max });
  assert.equal(clampPaneSize('left', 5000, SMALL), 610);
  assert.equal(clampPaneSize('left', 10, SMALL), PANE_SPECS.left.min);
  assert.equal(clampPaneSize('right', 4000, WIDE), PANE_SPECS.right.max);
  assert.equal(clampPaneSize('left', 333.6, SMALL), 334, 'sizes are whole pixels');
});

test('the bottom area leaves the viewer its minimum height; with no room at all a pane keeps its minimum', () => {
  assert.deepEqual(paneLimits('bottom', SMALL), { min: PANE_SPECS.bottom.min, max: 480 - VIEWER_MIN_HEIGHT });
  assert.equal(clampPaneSize('bottom', 900, SMALL), 300);
  const cramped: PaneSpace = { width: 700, left: 340, right: 270, height: 150 };
  assert.deepEqual(paneLimits('left', cramped), { min: PANE_SPECS.left.min, max: PANE_SPECS.left.min });
  assert.equal(clampPaneSize('bottom', 500, cramped), PANE_SPECS.bottom.min);
});

test('clamping all sizes fits the right pane against the left one as clamped, and leaves unset panes unset', () => {
  const sizes = clampPaneSizes({ left: 700, right: 600 }, SMALL);
  assert.equal(sizes.left, 1280 - 600 - VIEWER_MIN_WIDTH, 'the left pane is clamped against the wanted right width');
  assert.equal(sizes.right, 1280 - sizes.left! - VIEWER_MIN_WIDTH, 'the right pane is clamped against the clamped left width');
  assert.ok(sizes.left! + sizes.right! + VIEWER_MIN_WIDTH <= 1280);
  assert.equal('bottom' in sizes, false);
  assert.deepEqual(clampPaneSizes({}, SMALL), {});
  assert.deepEqual(clampPaneSizes({ bottom: 120 }, WIDE), { bottom: 120 });
});

test('dragging moves the left pane with the pointer and the right and bottom panes against it', () => {
  assert.equal(draggedSize('left', 340, 50, SMALL), 390);
  assert.equal(draggedSize('right', 270, 50, SMALL), 220, 'dragging the right splitter right narrows the right pane');
  assert.equal(draggedSize('right', 270, -100, SMALL), 370);
  assert.equal(draggedSize('bottom', 150, -60, SMALL), 210, 'dragging the bottom splitter up makes the bottom area taller');
  assert.equal(draggedSize('left', 340, 2000, SMALL), 610, 'a drag is clamped');
});

test('arrow keys along the splitter axis step the size, Shift steps further, Home and End go to the limits, other keys do nothing', () => {
  assert.equal(keyedSize('left', 'ArrowRight', false, 340, SMALL), 340 + KEY_STEP);
  assert.equal(keyedSize('left', 'ArrowLeft', true, 340, SMALL), 340 - KEY_STEP_LARGE);
  assert.equal(keyedSize('right', 'ArrowLeft', false, 270, SMALL), 270 + KEY_STEP, 'moving the right splitter left widens the right pane');
  assert.equal(keyedSize('bottom', 'ArrowUp', false, 150, SMALL), 150 + KEY_STEP);
  assert.equal(keyedSize('bottom', 'ArrowDown', true, 150, SMALL), 150 - KEY_STEP_LARGE);
  assert.equal(keyedSize('left', 'Home', false, 340, SMALL), PANE_SPECS.left.min);
  assert.equal(keyedSize('left', 'End', false, 340, SMALL), 610);
  assert.equal(keyedSize('left', 'ArrowUp', false, 340, SMALL), undefined, 'a vertical splitter ignores up/down');
  assert.equal(keyedSize('bottom', 'ArrowRight', false, 150, SMALL), undefined);
  assert.equal(keyedSize('left', 'a', false, 340, SMALL), undefined);
});

test('stored sizes are read from their Settings.layout keys; other keys and bad values are ignored', () => {
  assert.deepEqual(storedPaneSizes({ 'pane.left': 360.4, 'pane.right': 280, 'pane.bottom': 200, 'jobs.collapsed': true }), { left: 360, right: 280, bottom: 200 });
  assert.deepEqual(storedPaneSizes({ 'pane.left': 'wide', 'pane.right': -5, 'pane.bottom': 0 }), {});
  assert.deepEqual(storedPaneSizes({}), {});
});

test('writing a size keeps every other layout key, and a reset removes only that pane key', () => {
  const layout = { 'jobs.collapsed': true, 'pane.right': 300, 'someone.else': 'x' };
  assert.deepEqual(withPaneSize(layout, 'left', 412.7), { 'jobs.collapsed': true, 'pane.right': 300, 'someone.else': 'x', 'pane.left': 413 });
  assert.deepEqual(withPaneSize(layout, 'right', undefined), { 'jobs.collapsed': true, 'someone.else': 'x' });
  assert.deepEqual(layout, { 'jobs.collapsed': true, 'pane.right': 300, 'someone.else': 'x' }, 'the record given is not changed');
});

test('a size that is not a finite number is refused with the pane named', () => {
  assert.throws(() => clampPaneSize('left', Number.NaN, SMALL), /left pane size must be a finite number/);
  assert.throws(() => withPaneSize({}, 'bottom', Number.POSITIVE_INFINITY), /bottom pane size must be a finite number/);
  assert.throws(() => paneLimits('right', { ...SMALL, width: Number.NaN }), /workspace width must be a finite number/);
});
