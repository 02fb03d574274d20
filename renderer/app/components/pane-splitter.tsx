/**
 * Resizable panes: the structure list (left column), the properties panel (right column) and the panels under
 * the viewer (bottom of the centre column). Each has a splitter: drag it (pointer events), move it with the
 * arrow keys when focused (Shift: larger steps, Home/End: the limits), double-click or Enter to reset it to the
 * default. Sizes go to the CSS variables --left-width, --right-width and --bottom-height, are clamped so the
 * viewer keeps VIEWER_MIN_WIDTH × VIEWER_MIN_HEIGHT (again whenever the window is resized), and are kept in
 * Settings.layout ('pane.left', 'pane.right', 'pane.bottom'; read-modify-write so other keys survive).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import type { EquimolApi } from '../../../core/contract/equimol-api';
import { clampPaneSizes, draggedSize, keyedSize, PANE_SPECS, PANES, paneLimits, storedPaneSizes, withPaneSize, type Pane, type PaneSizes, type PaneSpace } from './pane-sizes';

const CSS_VARIABLE: Readonly<Record<Pane, string>> = { left: '--left-width', right: '--right-width', bottom: '--bottom-height' };
/** Writes to Settings.layout wait this long after the last key press. */
const PERSIST_DELAY_MS = 250;

export interface PaneLayout {
  /** Put on the element whose CSS uses the variables (the workspace). */
  readonly style: CSSProperties;
  readonly workspaceRef: RefObject<HTMLDivElement | null>;
  readonly centerRef: RefObject<HTMLElement | null>;
  readonly bottomRef: RefObject<HTMLDivElement | null>;
  /** The sizes set by the user (clamped to the window); a pane missing here has its CSS default. */
  readonly sizes: PaneSizes;
  /** The room the panes share now, measured. */
  space(): PaneSpace;
  /** `pane`'s current size, measured. */
  current(pane: Pane): number;
  /** Shows `size` at once without a render (while dragging). */
  preview(pane: Pane, size: number): void;
  /** Sets `pane` to `size` and keeps it in Settings.layout. */
  commit(pane: Pane, size: number): void;
  /** Back to the CSS default; the key is removed from Settings.layout. */
  reset(pane: Pane): void;
}

const px = (value: string) => Number.parseFloat(value) || 0;

/** The pane sizes of the app's frame: read from Settings.layout at start-up, clamped to the window, written back on change. */
export function usePaneLayout(api: EquimolApi): PaneLayout {
  const workspaceRef = useRef<HTMLDivElement | null>(null);
  const centerRef = useRef<HTMLElement | null>(null);
  const bottomRef = useRef<HTMLDivElement | null>(null);
  const [wanted, setWanted] = useState<PaneSizes>({});
  const [sizes, setSizes] = useState<PaneSizes>({});
  const pending = useRef(new Map<Pane, number | undefined>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const space = useCallback((): PaneSpace => {
    const workspace = workspaceRef.current;
    const center = centerRef.current;
    if (!workspace || !center) return { width: window.innerWidth, left: 0, right: 0, height: window.innerHeight };
    const columns = getComputedStyle(workspace).gridTemplateColumns.split(' ').map(px);
    const toolbar = center.querySelector<HTMLElement>('.viewer-toolbar')?.offsetHeight ?? 0;
    return { width: workspace.clientWidth, left: columns[0] ?? 0, right: columns[columns.length - 1] ?? 0, height: center.clientHeight - toolbar };
  }, []);

  const current = useCallback(
    (pane: Pane): number => {
      if (pane === 'bottom') return bottomRef.current?.offsetHeight ?? 0;
      const s = space();
      return pane === 'left' ? s.left : s.right;
    },
    [space],
  );

  // Start-up: the sizes kept in Settings.layout.
  useEffect(() => {
    let alive = true;
    api.getSettings().then(
      (settings) => {
        if (alive) setWanted((now) => ({ ...storedPaneSizes(settings.layout), ...now }));
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api]);

  // What is shown: the wanted sizes clamped to the window, now and whenever it is resized.
  useLayoutEffect(() => {
    const clamp = () =>
      setSizes((shown) => {
        const next = clampPaneSizes(wanted, space());
        return PANES.every((p) => next[p] === shown[p]) ? shown : next;
      });
    clamp();
    window.addEventListener('resize', clamp);
    return () => window.removeEventListener('resize', clamp);
  }, [wanted, space]);

  const flush = useCallback(() => {
    timer.current = null;
    const changes = [...pending.current];
    pending.current.clear();
    if (changes.length === 0) return;
    api
      .getSettings()
      .then((settings) => api.setSettings({ layout: changes.reduce((layout, [pane, size]) => withPaneSize(layout, pane, size), settings.layout) }))
      .catch(() => undefined);
  }, [api]);

  const persist = useCallback(
    (pane: Pane, size: number | undefined) => {
      pending.current.set(pane, size);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(flush, PERSIST_DELAY_MS);
    },
    [flush],
  );
  useEffect(
    () => () => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
        flush();
      }
    },
    [flush],
  );

  const preview = useCallback((pane: Pane, size: number) => {
    workspaceRef.current?.style.setProperty(CSS_VARIABLE[pane], `${size}px`);
  }, []);
  const commit = useCallback(
    (pane: Pane, size: number) => {
      preview(pane, size);
      setWanted((now) => ({ ...now, [pane]: size }));
      persist(pane, size);
    },
    [persist, preview],
  );
  const reset = useCallback(
    (pane: Pane) => {
      workspaceRef.current?.style.removeProperty(CSS_VARIABLE[pane]);
      setWanted((now) => {
        const next: Partial<Record<Pane, number>> = { ...now };
        delete next[pane];
        return next;
      });
      persist(pane, undefined);
    },
    [persist],
  );

  const style = useMemo(() => {
    const vars: Record<string, string> = {};
    for (const pane of PANES) {
      const size = sizes[pane];
      if (size !== undefined) vars[CSS_VARIABLE[pane]] = `${size}px`;
    }
    return vars as CSSProperties;
  }, [sizes]);

  return useMemo(() => ({ style, workspaceRef, centerRef, bottomRef, sizes, space, current, preview, commit, reset }), [style, sizes, space, current, preview, commit, reset]);
}

/** One pane's splitter: a focusable separator (role="separator") that resizes the pane by pointer or keyboard. */
export function PaneSplitter({ pane, layout }: { readonly pane: Pane; readonly layout: PaneLayout }) {
  const spec = PANE_SPECS[pane];
  const drag = useRef<{ id: number; start: number; at: number; space: PaneSpace; size: number } | null>(null);
  const [value, setValue] = useState<{ now: number; min: number; max: number } | null>(null);
  const size = layout.sizes[pane];

  // The separator's aria values, measured after each change.
  const measure = useCallback(() => {
    const next = { now: Math.round(layout.current(pane)), ...paneLimits(pane, layout.space()) };
    setValue((shown) => (shown && shown.now === next.now && shown.min === next.min && shown.max === next.max ? shown : next));
  }, [layout, pane]);
  useLayoutEffect(() => {
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [measure, size]);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    const start = layout.current(pane);
    drag.current = { id: event.pointerId, start, at: spec.axis === 'x' ? event.clientX : event.clientY, space: layout.space(), size: start };
    document.documentElement.classList.add(spec.axis === 'x' ? 'resizing-x' : 'resizing-y');
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    d.size = draggedSize(pane, d.start, (spec.axis === 'x' ? event.clientX : event.clientY) - d.at, d.space);
    layout.preview(pane, d.size);
  };
  const end = (event: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    drag.current = null;
    document.documentElement.classList.remove('resizing-x', 'resizing-y');
    if (d.size !== d.start) layout.commit(pane, d.size);
    measure();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      layout.reset(pane);
      return;
    }
    const next = keyedSize(pane, event.key, event.shiftKey, layout.current(pane), layout.space());
    if (next === undefined) return;
    event.preventDefault();
    layout.commit(pane, next);
  };

  return (
    <div
      className={`pane-splitter pane-splitter-${pane}`}
      role="separator"
      aria-orientation={spec.axis === 'x' ? 'vertical' : 'horizontal'}
      aria-label={spec.label}
      aria-valuenow={value?.now}
      aria-valuemin={value?.min}
      aria-valuemax={value?.max}
      tabIndex={0}
      title={`${spec.label}: drag or use the arrow keys; double-click to reset`}
      data-testid={`pane-splitter-${pane}`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onLostPointerCapture={end}
      onDoubleClick={() => layout.reset(pane)}
      onKeyDown={onKeyDown}
    />
  );
}
