/**
 * The structure table's column chooser (a toolbar button opening a menu of checkboxes, grouped by source, with
 * "Show all" and "Reset") and the store of the column choices and widths, kept for the session and in
 * Settings.layout. A service contribution reads the layout once and writes this store's entries back (read,
 * modify, write: the other keys of the record stay as they are).
 */
import { useEffect, useRef, useState } from 'react';
import { registerPanel, type PanelProps } from '../panels/panel-registry';
import { createStore } from '../state/store';
import { useStoreValue } from '../state/use-store';
import {
  columnGroups,
  decodePrefs,
  headerLabel,
  isVisible,
  mergeLayout,
  NO_PREFS,
  resetColumns,
  setVisible,
  showAll,
  visibleColumns,
  type ChoiceColumn,
  type ColumnPrefs,
} from './column-choice';

interface ColumnPrefsState {
  readonly prefs: ColumnPrefs;
  /** True once the saved layout was read (or could not be): writes start after that. */
  readonly loaded: boolean;
}

/** One per app: the table's column choices for every document (keyed by column key). */
export const columnPrefsStore = createStore<ColumnPrefsState>({ prefs: NO_PREFS, loaded: false });

export function useColumnPrefs(): ColumnPrefs {
  return useStoreValue(columnPrefsStore, (s) => s.prefs);
}

export function updateColumnPrefs(update: (prefs: ColumnPrefs) => ColumnPrefs): void {
  columnPrefsStore.setState((s) => ({ prefs: update(s.prefs) }));
}

const WRITE_DELAY_MS = 250;

/** Reads the saved column choices once; writes them back (debounced) whenever they change. */
function ColumnPrefsService({ ctx }: PanelProps) {
  const { api } = ctx;
  const notify = useRef(ctx.notify);
  notify.current = ctx.notify;
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api.getSettings().then(
      (settings) => {
        if (!alive) return;
        const saved = decodePrefs(settings.layout);
        // Choices made before the read finished win over the saved ones.
        columnPrefsStore.setState((s) => ({
          prefs: { visible: new Map([...saved.visible, ...s.prefs.visible]), widths: new Map([...saved.widths, ...s.prefs.widths]) },
          loaded: true,
        }));
      },
      () => columnPrefsStore.setState({ loaded: true }),
    );
    let written = columnPrefsStore.getState().prefs;
    const unsubscribe = columnPrefsStore.subscribe(() => {
      const { prefs, loaded } = columnPrefsStore.getState();
      if (!loaded || prefs === written) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const next = columnPrefsStore.getState().prefs;
        written = next;
        api
          .getSettings()
          .then((settings) => api.setSettings({ layout: mergeLayout(settings.layout, next) }))
          .catch((error: unknown) => notify.current('error', 'The column choice could not be saved', error instanceof Error ? error.message : String(error)));
      }, WRITE_DELAY_MS);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [api]);
  return null;
}

registerPanel({ id: 'equimol.table.column-prefs', title: 'Table columns (settings)', location: 'service', component: ColumnPrefsService });

export interface ColumnChooserProps {
  /** Every column the active document offers (choiceColumns). */
  readonly columns: readonly ChoiceColumn[];
}

/** The toolbar button and its menu: one checkbox per column, grouped by source. */
export function ColumnChooser({ columns }: ColumnChooserProps) {
  const prefs = useColumnPrefs();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        setOpen(false);
      }
    };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
  const shown = visibleColumns(columns, prefs).length;

  return (
    <div className="column-chooser" ref={root}>
      <button
        className="btn"
        onClick={() => setOpen((o) => !o)}
        aria-haspopup="true"
        aria-expanded={open}
        disabled={columns.length === 0}
        title={`Choose the table's columns (${shown} of ${columns.length} shown)`}
        data-testid="column-chooser-button"
      >
        Columns
      </button>
      {open ? (
        <div className="column-chooser-menu" role="menu" data-testid="column-chooser">
          <div className="column-chooser-actions">
            <button className="btn ghost" onClick={() => updateColumnPrefs((p) => showAll(p, columns))} data-testid="columns-show-all">
              Show all
            </button>
            <button className="btn ghost" onClick={() => updateColumnPrefs((p) => resetColumns(p, columns))} title="The default columns and widths" data-testid="columns-reset">
              Reset
            </button>
          </div>
          {columnGroups(columns).map((group) => (
            <fieldset key={group.source} className="column-chooser-group" data-source={group.source}>
              <legend title={group.title}>{group.title}</legend>
              {group.columns.map((column) => (
                <label key={column.key} className="column-chooser-item" title={`${headerLabel(column)} — ${column.key}`}>
                  <input
                    type="checkbox"
                    checked={isVisible(column, prefs)}
                    disabled={column.locked}
                    onChange={(event) => {
                      const visible = event.target.checked;
                      updateColumnPrefs((p) => setVisible(p, column, visible));
                    }}
                    data-testid="column-toggle"
                    data-key={column.key}
                  />
                  <span>{headerLabel(column)}</span>
                </label>
              ))}
            </fieldset>
          ))}
        </div>
      ) : null}
    </div>
  );
}
