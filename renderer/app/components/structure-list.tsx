import { useCallback, useMemo, useState, memo } from 'react';
import type { ColumnInfo, DocumentId, DocumentInfo } from '../../../core/contract/equimol-api';
import { searchQueryProblem } from '../../../core/session/search/row-match';
import { rowErrorKey, type RowError } from '../hooks/use-job-error-rows';
import type { StructurePages } from '../hooks/use-structure-pages';
import { baseName } from '../atom-coloring';
import { domainFlags, IN_DOMAIN } from '../prediction-values';
import { formatBytes, formatValue, plural } from '../util/format';
import { choiceColumns, headerLabel, setWidth, STRUCTURE_SOURCE, visibleColumns, widthOf } from './column-choice';
import { ColumnChooser, updateColumnPrefs, useColumnPrefs } from './column-chooser';
import { CloseIcon } from './icons';
import { VirtualTable, type SortState, type TableColumn } from './virtual-table';

export interface StructureListProps {
  readonly documents: readonly DocumentInfo[];
  readonly activeDocId: DocumentId | null;
  readonly onActivate: (docId: DocumentId) => void;
  readonly onClose: (docId: DocumentId) => void;
  readonly pages: StructurePages;
  readonly selectedRow: number;
  readonly onSelectRow: (row: number) => void;
  readonly sort: SortState;
  readonly onSort: (key: string) => void;
  readonly filterText: string;
  readonly onFilterText: (text: string) => void;
  /** Reasons of batch-job error rows, by rowErrorKey(docId, index): a warning marker on the row's name. */
  readonly rowErrors?: ReadonlyMap<string, RowError>;
}

/** The search box's tooltip: the query language of core/session/search/search-query.ts. */
const SEARCH_HELP = [
  'Terms are combined with AND:',
  '  text or "quoted text": name or formula contains it; name:… formula:C6H6 (any element order)',
  '  smiles:CCO (same molecule), sub:c1ccccc1 (substructure), smarts:[OX2H]',
  '  gap>5  atoms<=20  energy:-10..-5  (any numeric column; > >= < <= = !=, ranges a..b, a.., ..b)',
].join('\n');

/** Why the search text cannot run: its syntax (checked here as the user types) or the session's refusal. */
function searchProblemOf(text: string, columns: readonly ColumnInfo[] | undefined, sessionError: string | null): string | null {
  if (text.trim() === '') return null;
  const problem = columns ? searchQueryProblem(text, columns) : null;
  if (problem) return `${problem.reason} (at column ${problem.start + 1})`;
  return sessionError;
}

/** Left panel: one tab per open file, a search box and the virtualised, sortable structure table. */
export const StructureList = memo(function StructureList(props: StructureListProps) {
  const { documents, activeDocId, pages } = props;
  const active = documents.find((d) => d.id === activeDocId);
  const [showErrors, setShowErrors] = useState(false);
  const searchProblem = useMemo(() => searchProblemOf(props.filterText, active?.columns, pages.error), [props.filterText, active?.columns, pages.error]);

  const available = useMemo(() => choiceColumns(active?.columns ?? [], active?.origin?.kind), [active]);
  const prefs = useColumnPrefs();
  const columns = useMemo<TableColumn[]>(
    () =>
      visibleColumns(available, prefs).map((c) => ({
        key: c.key,
        label: headerLabel(c),
        width: widthOf(c, prefs),
        minWidth: c.minWidth,
        numeric: c.numeric,
        title: c.source === STRUCTURE_SOURCE ? undefined : `${headerLabel(c)} — ${c.source === 'file' ? 'from file' : `predicted by ${c.source}`} (click to sort)`,
      })),
    [available, prefs],
  );
  const onResize = useCallback((key: string, width: number) => updateColumnPrefs((p) => setWidth(p, key, width)), []);
  const domainKeys = useMemo(() => new Set((active?.columns ?? []).filter((c) => baseName(c.key, c.source) === IN_DOMAIN).map((c) => c.key)), [active]);

  const cell = (row: number, key: string) => {
    const summary = pages.row(row);
    if (!summary) return key === 'name' ? <span className="muted">…</span> : '';
    switch (key) {
      case 'index':
        return String(summary.index + 1);
      case 'name': {
        const name = summary.name || <span className="muted">(untitled)</span>;
        const error = activeDocId !== null ? props.rowErrors?.get(rowErrorKey(activeDocId, summary.index)) : undefined;
        const flags = domainKeys.size > 0 ? domainFlags(active?.columns ?? [], summary.values) : [];
        if (!error && flags.length === 0) return name;
        if (!error) {
          const reason = flags.map((f) => `${f.source}: ${f.reason}`).join('; ');
          return (
            <>
              <span className="domain-marker" title={`Outside the model's domain — ${reason}`} data-testid="row-domain-flag" aria-label={`out of domain: ${reason}`}>
                ◆
              </span>{' '}
              {name}
            </>
          );
        }
        return (
          <>
            <span className="row-error" title={`${error.jobLabel}: ${error.message}`} data-testid="row-error" aria-label={`error: ${error.message}`}>
              ⚠
            </span>{' '}
            {name}
          </>
        );
      }
      case 'formula':
        return summary.formula;
      case 'atoms':
        return String(summary.atoms);
      default: {
        const value = summary.values[key];
        if (!domainKeys.has(key) || value === undefined || value === null) return formatValue(value);
        if (value === 'yes' || value === true) return <span className="muted">yes</span>;
        const reason = formatValue(value);
        return (
          <span className="badge warn" title={`Outside the model's domain: ${reason}`} data-testid="domain-badge">
            ⚠ {reason}
          </span>
        );
      }
    }
  };

  return (
    <aside className="panel panel-left" data-testid="structure-list">
      <div className="doc-tabs" role="tablist" hidden={documents.length === 0}>
        {documents.map((doc) => (
          <div
            key={doc.id}
            className={`doc-tab${doc.id === activeDocId ? ' active' : ''}`}
            role="tab"
            aria-selected={doc.id === activeDocId}
            onClick={() => props.onActivate(doc.id)}
            title={`${doc.name} — ${doc.formatName}, ${formatBytes(doc.byteLength)}${doc.gzipped ? ' (gzip)' : ''}, ${plural(doc.recordCount, 'structure')}${doc.errorCount ? `, ${plural(doc.errorCount, 'error')}` : ''}, read in ${doc.readMs.toFixed(0)} ms`}
            data-testid="doc-tab"
          >
            <span className="name">{doc.name}</span>
            <span className="badge">{doc.recordCount.toLocaleString('en-US')}</span>
            {doc.errorCount > 0 ? (
              <span className="badge error" data-testid="doc-error-badge">
                {doc.errorCount} err
              </span>
            ) : null}
            <button
              className="close"
              title="Close (Delete)"
              onClick={(event) => {
                event.stopPropagation();
                props.onClose(doc.id);
              }}
            >
              <CloseIcon />
            </button>
          </div>
        ))}
      </div>
      <div className="list-toolbar">
        <input
          className={`input${searchProblem ? ' invalid' : ''}`}
          placeholder="Search: name, formula:C6H6, sub:c1ccccc1, gap>5 …"
          title={SEARCH_HELP}
          value={props.filterText}
          onChange={(event) => props.onFilterText(event.target.value)}
          data-testid="filter-input"
          aria-invalid={searchProblem !== null}
          spellCheck={false}
        />
        {active ? <span className="badge fmt" title={active.formatName}>{active.format}</span> : null}
        {active ? <ColumnChooser columns={available} /> : null}
      </div>
      {searchProblem ? (
        <div className="filter-error" role="alert" data-testid="filter-error">
          {searchProblem}
        </div>
      ) : null}
      <div className="panel-header">
        Structures
        <span className="count" data-testid="structure-count">
          {active ? (pages.total >= 0 ? `${pages.total.toLocaleString('en-US')}${pages.total !== active.recordCount ? ` of ${active.recordCount.toLocaleString('en-US')}` : ''}` : '…') : ''}
        </span>
        <span style={{ flex: 1 }} />
        {active && active.errorCount > 0 ? (
          <button className="btn ghost danger" style={{ height: 22 }} onClick={() => setShowErrors((s) => !s)} data-testid="toggle-errors">
            {showErrors ? 'Hide' : 'Show'} {plural(active.errorCount, 'error')}
          </button>
        ) : null}
      </div>
      {active && showErrors && active.errors.length > 0 ? (
        <ul className="error-list" style={{ maxHeight: 160, overflow: 'auto', flex: 'none' }} data-testid="doc-errors">
          {active.errors.map((e, i) => (
            <li key={i}>
              <span className="loc">
                record {e.record + 1}, line {e.line}:
              </span>{' '}
              {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      <VirtualTable
        columns={columns}
        rowCount={active ? Math.max(0, pages.total) : 0}
        cell={cell}
        selectedRow={props.selectedRow}
        onSelectRow={props.onSelectRow}
        sort={props.sort}
        onSort={props.onSort}
        onRangeChange={pages.requestRange}
        onResize={onResize}
        rowTitle={(row) => {
          const s = pages.row(row);
          return s && s.line > 0 ? `${s.name || 'structure'} — record ${s.index + 1}, line ${s.line}` : undefined;
        }}
        emptyText={active ? (searchProblem ? 'The search cannot run: see above.' : props.filterText ? 'No structure matches the search.' : 'This file holds no readable structure.') : 'No file open.'}
        testId="structure-table"
      />
    </aside>
  );
});
