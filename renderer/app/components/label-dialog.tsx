import type { DocumentInfo, EquimolApi, JobRequest } from '../../../core/contract/equimol-api';
import { useCalculatorChoices } from '../hooks/use-calculators';
import { CalculatorChooser, useChosenCalculator } from './calculator-chooser';

export interface LabelDialogProps {
  readonly api: EquimolApi;
  /** Every structure of this document is labelled. */
  readonly doc: DocumentInfo;
  readonly onStart: (request: JobRequest) => void;
  readonly onClose: () => void;
}

/**
 * Label the current document with a calculator (xtb): energy, forces and, where the calculator gives them,
 * charges, dipole and frontier orbitals, written as a new 'labelled' document that a train job reads. The
 * calculators that cannot run on these structures are greyed out with the reason.
 */
export function LabelDialog(props: LabelDialogProps) {
  const { doc } = props;
  const calculators = useCalculatorChoices(props.api, doc.id, null);
  const [calculator, setCalculator] = useChosenCalculator(calculators);
  const problem = calculators.loading ? 'Checking the calculators…' : calculator === '' ? 'No calculator can label these structures.' : null;
  const start = () => {
    if (problem === null) props.onStart({ kind: 'label', docIds: [doc.id], calculator });
  };
  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="label-dialog">
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Label structures">
        <h3>Label structures</h3>
        <div className="sampler-scope muted">
          All {doc.recordCount.toLocaleString('en-US')} structures of {doc.name}: energy (eV), forces (eV/Å) and, where the calculator gives them, atomic charges, dipole and HOMO/LUMO/gap, as a new document to train on. A structure the calculator cannot evaluate is an error row and is left out.
        </div>
        <div className="section-title">Calculator</div>
        <CalculatorChooser calculators={calculators} chosen={calculator} onChoose={setCalculator} />
        <div className="sampler-footer">
          <span className="muted" data-testid="label-problem">
            {problem ?? ''}
          </span>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" onClick={start} disabled={problem !== null} data-testid="label-start">
            Start
          </button>
        </div>
      </div>
    </div>
  );
}
