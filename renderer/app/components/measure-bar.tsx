import type { MeasureKind } from '../../viewer/viewer-api';

export const MEASURE_MODES: ReadonlyArray<{ readonly id: MeasureKind; readonly label: string; readonly atoms: number; readonly unit: string }> = [
  { id: 'distance', label: 'Distance', atoms: 2, unit: 'Å' },
  { id: 'angle', label: 'Angle', atoms: 3, unit: '°' },
  { id: 'dihedral', label: 'Dihedral', atoms: 4, unit: '°' },
];

export interface MeasureBarProps {
  readonly mode: MeasureKind;
  readonly onMode: (mode: MeasureKind) => void;
  readonly onStop: () => void;
}

/**
 * Over the viewer while measuring: the kind of measurement the next clicks make (2 atoms: distance in Å,
 * 3: angle at the middle atom in °, 4: dihedral in °) and how many atoms to click.
 */
export function MeasureBar(props: MeasureBarProps) {
  const current = MEASURE_MODES.find((m) => m.id === props.mode) ?? MEASURE_MODES[0]!;
  return (
    <div className="viewer-hint measure-bar" data-testid="measure-bar">
      <div className="seg" role="radiogroup" aria-label="Measurement">
        {MEASURE_MODES.map((m) => (
          <button
            key={m.id}
            className={`btn${m.id === props.mode ? ' active' : ''}`}
            role="radio"
            aria-checked={m.id === props.mode}
            onClick={() => props.onMode(m.id)}
            title={`${m.label}: click ${m.atoms} atoms (${m.unit})`}
            data-testid={`measure-mode-${m.id}`}
          >
            {m.label}
          </button>
        ))}
      </div>
      <span>
        Click {current.atoms} atoms for {current.id === 'distance' ? 'a distance' : current.id === 'angle' ? 'an angle (at the middle atom)' : 'a dihedral'} · Esc to stop
      </span>
      <button className="btn ghost" onClick={props.onStop} data-testid="measure-stop">
        Done
      </button>
    </div>
  );
}
