import { OpenIcon } from '../../components/icons';

/** Over the empty viewer before any file is open: what to drop, the formats, the first shortcuts. */
export function EmptyState(props: { readonly onOpen: () => void }) {
  return (
    <div className="empty" data-testid="empty-state">
      <div className="card">
        <svg width="64" height="64" viewBox="0 0 24 24" aria-hidden="true" style={{ opacity: 0.9 }}>
          <line x1="6" y1="7" x2="17" y2="6" stroke="var(--border-strong)" strokeWidth="1.2" />
          <line x1="6" y1="7" x2="10" y2="18" stroke="var(--border-strong)" strokeWidth="1.2" />
          <line x1="17" y1="6" x2="10" y2="18" stroke="var(--border-strong)" strokeWidth="1.2" />
          <circle cx="6" cy="7" r="3" fill="#e5484d" />
          <circle cx="17" cy="6" r="2.4" fill="#3e8bff" />
          <circle cx="10" cy="18" r="3.4" fill="#8e99a8" />
        </svg>
        <h2>Drop molecule or crystal files here</h2>
        <p>or open them with the button or Ctrl+O. Several files at once, gzipped too.</p>
        <div className="formats">
          {['XYZ', 'extXYZ', 'SDF/MOL', 'PDB', 'CIF', 'POSCAR', 'SMILES', '.gz'].map((f) => (
            <span key={f} className="badge fmt">
              {f}
            </span>
          ))}
        </div>
        <div style={{ marginTop: 16 }}>
          <button className="btn primary" onClick={props.onOpen}>
            <OpenIcon /> Open files…
          </button>
        </div>
        <div className="shortcuts">
          <span className="kbd">1–4</span> <span>viewer styles</span>
          <span className="kbd">M</span> <span>measure</span>
          <span className="kbd">?</span> <span>all shortcuts</span>
        </div>
      </div>
    </div>
  );
}
