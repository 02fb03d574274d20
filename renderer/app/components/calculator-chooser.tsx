import { useEffect, useState } from 'react';
import type { CalculatorChoices } from '../hooks/use-calculators';

/**
 * The chosen calculator id, kept on a usable one: the first usable calculator when none (or an unusable one) is
 * chosen, '' when none can run on the target.
 */
export function useChosenCalculator(calculators: CalculatorChoices): [string, (id: string) => void] {
  const [calculator, setCalculator] = useState('');
  useEffect(() => {
    const usable = calculators.choices.filter((c) => c.reason === null);
    if (!usable.some((c) => c.info.id === calculator)) setCalculator(usable[0]?.info.id ?? '');
  }, [calculators.choices, calculator]);
  return [calculator, setCalculator];
}

/** The calculator radio list of the sampler dialogs: the unusable ones greyed out with their reason. */
export function CalculatorChooser(props: { readonly calculators: CalculatorChoices; readonly chosen: string; readonly onChoose: (id: string) => void }) {
  const { calculators, chosen, onChoose } = props;
  return (
    <div className="calculator-list" role="radiogroup" aria-label="Calculator" data-testid="calculator-list">
      {calculators.error ? <div className="error-text">{calculators.error}</div> : null}
      {calculators.choices.length === 0 && !calculators.loading && !calculators.error ? <div className="muted">No calculators are available.</div> : null}
      {calculators.choices.map(({ info, reason }) => (
        <label key={info.id} className={`calculator${reason ? ' disabled' : ''}`} title={reason ?? info.notes ?? info.name} data-testid="calculator-option" data-id={info.id} data-disabled={reason ? 'true' : 'false'}>
          <input type="radio" name="calculator" value={info.id} checked={chosen === info.id} disabled={reason !== null} onChange={() => onChoose(info.id)} />
          <span className="name">
            {info.name} <span className="mono muted">{info.id}</span>
          </span>
          {reason ? <span className="reason">{reason}</span> : null}
        </label>
      ))}
    </div>
  );
}
