import { memo } from 'react';
import { ELEMENT_COLORS } from '../atom-coloring';
import type { AtomColoring } from '../hooks/use-atom-coloring';
import { formatDipole } from '../../viewer/dipole-arrow';

/** Viewer toolbar: "Colour by" (element colours or a per-atom array of the shown structure) and the dipole arrow toggle. */
export const AtomColoringControls = memo(function AtomColoringControls(props: { readonly coloring: AtomColoring }) {
  const { options, colorBy, setColorBy, dipole, showDipole, toggleDipole } = props.coloring;
  const chosen = options.some((o) => o.id === colorBy) ? colorBy : ELEMENT_COLORS;
  const magnitude = dipole ? Math.hypot(...dipole.vector) : 0;
  return (
    <>
      {options.length > 0 ? (
        <label title="Colour atoms by element or by a per-atom value">
          Colour
          <select className="select select-compact" value={chosen} onChange={(e) => setColorBy(e.target.value)} data-testid="color-by" aria-label="Colour atoms by">
            <option value={ELEMENT_COLORS}>Element</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
                {o.unit ? ` (${o.unit})` : ''}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {dipole ? (
        <button
          className={`btn${showDipole ? ' active' : ''}`}
          onClick={toggleDipole}
          title={`Dipole arrow from the centroid, 1 Å per D: ${formatDipole(magnitude)} (${dipole.source === 'file' ? 'from the file' : `predicted by ${dipole.source}`})`}
          data-testid="dipole-button"
        >
          Dipole
        </button>
      ) : null}
    </>
  );
});
