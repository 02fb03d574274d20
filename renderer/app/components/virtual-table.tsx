import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';

export interface TableColumn {
  readonly key: string;
  readonly label: string;
  /** Fixed width in px; a column without width grows to fill. */
  readonly width?: number;
  /** Least width of a growing column (default GROW_MIN_WIDTH) and of a resize (default MIN_RESIZE_WIDTH). */
  readonly minWidth?: number;
  readonly numeric?: boolean;
  readonly title?: string;
}

export interface SortState {
  readonly key: string;
  readonly descending: boolean;
}

export interface VirtualTableProps {
  readonly columns: readonly TableColumn[];
  readonly rowCount: number;
  readonly rowHeight?: number;
  /** Text (or node) of one cell; called only for rows in view. */
  readonly cell: (row: number, columnKey: string) => ReactNode;
  readonly rowClassName?: (row: number) => string | undefined;
  readonly rowTitle?: (row: number) => string | undefined;
  readonly selectedRow: number;
  readonly onSelectRow: (row: number) => void;
  readonly sort?: SortState;
  readonly onSort?: (key: string) => void;
  readonly emptyText?: ReactNode;
  readonly testId?: string;
  /** Called with the rows in view [first, last) so the owner can fetch pages lazily. */
  readonly onRangeChange?: (first: number, last: number) => void;
  /**
   * With this, each header has a resize handle on its right edge: dragging it gives the column a new width,
   * a double-click fits the width to the header's label.
   */
  readonly onResize?: (key: string, width: number) => void;
}

const OVERSCAN_ROWS = 8;
/** Minimum width of the growing column; with many fixed columns the table scrolls sideways. */
const GROW_MIN_WIDTH = 110;
const MIN_RESIZE_WIDTH = 40;
/** Header room beside the label: the cell's padding (2 × 8), the sort mark and the resize handle. */
const HEADER_CHROME = 16 + 14;

function cellStyle(c: TableColumn) {
  return c.width ? { width: c.width } : c.minWidth ? { minWidth: c.minWidth } : undefined;
}

/** A cell whose text does not fit gets the full text as its tooltip (checked when the pointer comes over it). */
function titleTruncated(event: MouseEvent<HTMLElement>) {
  const text = (event.target as HTMLElement).closest('.cell-text');
  if (!(text instanceof HTMLElement)) return;
  if (text.scrollWidth > text.clientWidth + 1) text.title = text.textContent ?? '';
  else text.removeAttribute('title');
}

/**
 * Windowed table: only the rows in view (plus a few) are in the DOM, so 100k rows scroll as smoothly as 10.
 * Arrow keys, PageUp/PageDown, Home/End move the selection and keep it in view.
 */
export function VirtualTable(props: VirtualTableProps) {
  const { columns, rowCount, cell, selectedRow, onSelectRow, sort, onSort } = props;
  const rowHeight = props.rowHeight ?? 24;
  const bodyRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(400);

  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!body) return;
    const observer = new ResizeObserver(() => setViewportHeight(body.clientHeight));
    observer.observe(body);
    setViewportHeight(body.clientHeight);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const body = bodyRef.current;
    if (!body) return;
    setScrollTop(body.scrollTop);
    if (headRef.current) headRef.current.scrollLeft = body.scrollLeft;
  }, []);

  // Keep the selected row in view when selection changes from outside (keyboard, viewer, search).
  useEffect(() => {
    const body = bodyRef.current;
    if (!body || selectedRow < 0) return;
    const top = selectedRow * rowHeight;
    if (top < body.scrollTop) body.scrollTop = top;
    else if (top + rowHeight > body.scrollTop + body.clientHeight) body.scrollTop = top + rowHeight - body.clientHeight;
  }, [selectedRow, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight) + OVERSCAN_ROWS);
  const pageRows = Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
  const { onRangeChange } = props;
  useEffect(() => {
    onRangeChange?.(first, last);
  }, [first, last, onRangeChange]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (rowCount === 0) return;
    const moves: Record<string, number> = {
      ArrowDown: selectedRow + 1,
      ArrowUp: selectedRow - 1,
      PageDown: selectedRow + pageRows,
      PageUp: selectedRow - pageRows,
      Home: 0,
      End: rowCount - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    onSelectRow(Math.min(rowCount - 1, Math.max(0, next)));
  };

  const contentWidth = columns.reduce((w, c) => w + (c.width ?? c.minWidth ?? GROW_MIN_WIDTH), 0);
  const { onResize } = props;
  const startResize = (event: PointerEvent<HTMLElement>, c: TableColumn) => {
    const cellEl = event.currentTarget.parentElement;
    if (!onResize || !cellEl || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = cellEl.getBoundingClientRect().width;
    const min = c.minWidth ?? MIN_RESIZE_WIDTH;
    const move = (e: globalThis.PointerEvent) => onResize(c.key, Math.max(min, startWidth + e.clientX - startX));
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  const fitToLabel = (event: MouseEvent<HTMLElement>, c: TableColumn) => {
    event.stopPropagation();
    const label = event.currentTarget.parentElement?.querySelector('.cell-label');
    if (!onResize || !(label instanceof HTMLElement)) return;
    onResize(c.key, Math.max(c.minWidth ?? MIN_RESIZE_WIDTH, Math.ceil(label.scrollWidth) + HEADER_CHROME));
  };
  // Rows are keyed by row index: scrolling by k rows mounts k rows and leaves the others untouched (keying
  // by slot would rewrite every row's text on every scroll step).
  const rows: ReactNode[] = [];
  for (let row = first; row < last; row++) {
    rows.push(
      <TableRow
        key={row}
        row={row}
        selected={row === selectedRow}
        rowHeight={rowHeight}
        contentWidth={contentWidth}
        columns={columns}
        cell={cell}
        rowClassName={props.rowClassName}
        rowTitle={props.rowTitle}
        onSelectRow={onSelectRow}
      />,
    );
  }

  return (
    <div className="vtable" tabIndex={0} onKeyDown={onKeyDown} role="grid" aria-rowcount={rowCount} data-testid={props.testId}>
      <div className="vtable-head" ref={headRef}>
        <div className="vtable-head-inner" role="row" style={{ minWidth: contentWidth }}>
        {columns.map((c) => (
          <div
            key={c.key}
            className={`cell${c.numeric ? ' num' : ''}${c.width ? '' : ' grow'}`}
            style={cellStyle(c)}
            onClick={() => onSort?.(c.key)}
            title={c.title ?? `Sort by ${c.label}`}
            role="columnheader"
            data-key={c.key}
          >
            <span className="cell-label">{c.label}</span>
            {sort?.key === c.key ? <span className="sort">{sort.descending ? '▼' : '▲'}</span> : null}
            {onResize ? (
              <span
                className="col-resize"
                title="Drag to resize; double-click to fit the label"
                onPointerDown={(event) => startResize(event, c)}
                onClick={(event) => event.stopPropagation()}
                onDoubleClick={(event) => fitToLabel(event, c)}
                data-testid="column-resize"
                aria-hidden="true"
              />
            ) : null}
          </div>
        ))}
        </div>
      </div>
      <div className="vtable-body" ref={bodyRef} onScroll={onScroll} onMouseOver={titleTruncated}>
        <div style={{ height: rowCount * rowHeight, minWidth: contentWidth, position: 'relative' }}>{rows}</div>
        {rowCount === 0 && props.emptyText ? <div className="vtable-empty">{props.emptyText}</div> : null}
      </div>
    </div>
  );
}

interface TableRowProps {
  readonly row: number;
  readonly selected: boolean;
  readonly rowHeight: number;
  readonly contentWidth: number;
  readonly columns: readonly TableColumn[];
  readonly cell: VirtualTableProps['cell'];
  readonly rowClassName: VirtualTableProps['rowClassName'];
  readonly rowTitle: VirtualTableProps['rowTitle'];
  readonly onSelectRow: (row: number) => void;
}

/** One row; memoised so scrolling renders only the rows that come into view. */
const TableRow = memo(function TableRow(props: TableRowProps) {
  const { row, selected, rowHeight, columns, cell } = props;
  return (
    <div
      className={`vtable-row${selected ? ' selected' : ''}${props.rowClassName ? ` ${props.rowClassName(row) ?? ''}` : ''}`}
      style={{ top: row * rowHeight, height: rowHeight, minWidth: props.contentWidth }}
      onMouseDown={() => props.onSelectRow(row)}
      title={props.rowTitle?.(row)}
      data-row={row}
      role="row"
      aria-selected={selected}
    >
      {columns.map((c) => (
        <div key={c.key} className={`cell${c.numeric ? ' num mono' : ''}${c.width ? '' : ' grow'}`} style={cellStyle(c)}>
          <span className="cell-text">{cell(row, c.key)}</span>
        </div>
      ))}
    </div>
  );
});
