import { CloseIcon } from './icons';

export interface Toast {
  readonly id: number;
  readonly kind: 'info' | 'success' | 'error';
  readonly title: string;
  readonly detail?: string;
}

export function Toasts(props: { readonly toasts: readonly Toast[]; readonly onDismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite">
      {props.toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.kind}`}>
          <div className="body">
            <strong>{t.title}</strong>
            {t.detail ? <div className="detail">{t.detail}</div> : null}
          </div>
          <button className="btn ghost icon" style={{ width: 20, height: 20 }} onClick={() => props.onDismiss(t.id)} title="Dismiss">
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}

export function DropOverlay() {
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div className="frame" />
      <div className="msg">Drop files to open them</div>
    </div>
  );
}

export const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ['Ctrl/⌘ O', 'Open files'],
  ['Ctrl/⌘ E', 'Export (last job results, else the file)'],
  ['1 · 2 · 3 · 4', 'Ball-and-stick · spacefill · licorice · wireframe'],
  ['F', 'Fit structure to view'],
  ['M', 'Toggle distance measurement'],
  ['C', 'Toggle unit cell'],
  ['L', 'Atom labels: element, then atom number, then off'],
  ['Space', 'Play / pause trajectory'],
  ['↑ ↓ PgUp PgDn', 'Move through the structure list'],
  ['Delete', 'Close the current file'],
  ['Esc', 'Leave measure mode, close dialogs'],
  ['?', 'This help'],
];

export function HelpDialog(props: { readonly onClose: () => void }) {
  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="help-dialog">
      <div className="modal" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
        <h3>Keyboard shortcuts</h3>
        <table>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>{what}</td>
                <td>
                  <span className="kbd">{keys}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted" style={{ marginTop: 12 }}>
          Drop files anywhere on the window: XYZ/extXYZ, SDF/MOL (V2000/V3000), PDB, CIF, POSCAR, SMILES — also gzipped (.gz).
        </p>
      </div>
    </div>
  );
}
