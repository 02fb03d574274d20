import { memo } from 'react';
import { cssHex, MISSING_COLOR, type ColorLegend } from '../../viewer/color-maps';

/** Colour bar over the viewer: the array's name and unit, the gradient, min / centre / max, and atoms without a value. */
export const ColorBar = memo(function ColorBar(props: { readonly legend: ColorLegend }) {
  const { legend } = props;
  return (
    <div className="color-bar" data-testid="color-bar" data-map={legend.map} data-min={legend.min} data-max={legend.max}>
      <div className="color-bar-title" data-testid="color-bar-title">
        {legend.label}
        {legend.unit ? ` (${legend.unit})` : ''}
      </div>
      <div className="color-bar-gradient" style={{ background: `linear-gradient(to right, ${legend.stops.join(', ')})` }} />
      <div className="color-bar-ticks mono" data-testid="color-bar-ticks">
        {legend.ticks.map((tick, i) => (
          <span key={i}>{tick.text}</span>
        ))}
      </div>
      {legend.missing > 0 ? (
        <div className="color-bar-missing" data-testid="color-bar-missing">
          <span className="swatch" style={{ background: cssHex(MISSING_COLOR) }} /> no value: {legend.missing} {legend.missing === 1 ? 'atom' : 'atoms'}
        </div>
      ) : null}
    </div>
  );
});
