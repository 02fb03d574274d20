import { useSyncExternalStore } from 'react';
import { BrandMark } from './components/icons';
import { openProgressStore } from './hooks/use-open-progress';
import type { PanelContext } from './panels/panel-registry';
import { Toolbar } from './panels/toolbar';
import { formatBytes, plural } from './util/format';
import { totalStructuresOf } from './state/app-state';

/** The title bar: brand, the 'titlebar' commands (Open, Export…), the hidden file input web mode opens with, the 'titlebar-end' ones. */
export function Titlebar({ ctx }: { readonly ctx: PanelContext }) {
  const { formatExtensions } = ctx.state;
  const accept = formatExtensions.length > 0 ? [...formatExtensions.map((e) => `.${e}`), '.gz'].join(',') : undefined;
  return (
    <header className="titlebar">
      <div className="brand">
        <BrandMark /> Equimol
      </div>
      <Toolbar area="titlebar" ctx={ctx} />
      <input
        ref={ctx.services.fileInput}
        type="file"
        multiple
        hidden
        accept={accept}
        data-testid="file-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          void ctx.services.openFileList(files);
        }}
      />
      <div className="spacer" />
      <Toolbar area="titlebar-end" ctx={ctx} />
    </header>
  );
}

/** The status bar: files and structures open, the active file's format, size and read time, the platform. */
export function StatusBar({ ctx }: { readonly ctx: PanelContext }) {
  const { documents, activeDocument: doc, platform } = ctx;
  const total = totalStructuresOf(ctx.state);
  const openStore = openProgressStore(ctx.api);
  const opening = useSyncExternalStore(openStore.subscribe, openStore.getSnapshot, openStore.getSnapshot).length;
  return (
    <footer className="statusbar">
      <span data-testid="status-files">
        {opening > 0 ? `Opening ${plural(opening, 'file')}… · ` : ''}
        {documents.length === 0 ? (opening > 0 ? '' : 'Ready') : `${plural(documents.length, 'file')} · ${plural(total, 'structure')}`}
      </span>
      {doc ? (
        <span>
          {doc.formatName} · {formatBytes(doc.byteLength)}
          {doc.gzipped ? ' (gzip)' : ''} · read in {doc.readMs.toFixed(0)} ms
        </span>
      ) : null}
      <span className="spacer" />
      <span>{platform === 'web' ? 'Web mode' : 'Desktop'}</span>
      <span>
        Press <span className="kbd">?</span> for shortcuts
      </span>
    </footer>
  );
}
