import { useMemo, useState } from 'react';
import type { EquimolApi, JobRequest } from '../../../core/contract/equimol-api';
import { conformersFormProblem, conformersRequest, DEFAULT_CONFORMERS_FORM, type ConformersForm } from '../conformers-form';
import { useCalculatorChoices } from '../hooks/use-calculators';
import { CalculatorChooser, useChosenCalculator } from './calculator-chooser';
import { NumberField } from './sampler-dialog';

export interface ConformersDialogProps {
  readonly api: EquimolApi;
  readonly docId: string;
  readonly docName: string;
  /** The selected structure (0-based) and its name. */
  readonly selectedIndex: number;
  readonly selectedName: string;
  readonly onStart: (request: JobRequest) => void;
  readonly onClose: () => void;
}

/**
 * Conformers of the selected molecule: a calculator chooser (ones that cannot run on it greyed out with the
 * reason), the population, temperatures and energy window, and an Advanced section (rungs, steps per rung, RMSD
 * and ESS thresholds, seed). Start hands a ConformersJobRequest to the host, which calls startJob.
 */
export function ConformersDialog(props: ConformersDialogProps) {
  const indices = useMemo(() => [props.selectedIndex], [props.selectedIndex]);
  const calculators = useCalculatorChoices(props.api, props.docId, indices);
  const [calculator, setCalculator] = useChosenCalculator(calculators);
  const [form, setForm] = useState<ConformersForm>(DEFAULT_CONFORMERS_FORM);
  const [advanced, setAdvanced] = useState(false);

  const problem = !calculator ? (calculators.loading ? 'Checking calculators…' : 'No calculator can run on this molecule.') : conformersFormProblem(form);
  const set = (patch: Partial<ConformersForm>) => setForm((f) => ({ ...f, ...patch }));
  const start = () => {
    if (problem === null) props.onStart(conformersRequest(props.docId, props.selectedIndex, calculator, form));
  };

  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="conformers-dialog">
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Conformers">
        <h3>Conformers</h3>
        <div className="sampler-scope">
          <div className="muted">
            Structure #{props.selectedIndex + 1} {props.selectedName} of {props.docName}: annealed Langevin dynamics with sequential Monte Carlo reweighting, then every distinct structure relaxed, deduplicated and weighted at the temperature.
          </div>
        </div>
        <div className="section-title">Calculator</div>
        <CalculatorChooser calculators={calculators} chosen={calculator} onChoose={setCalculator} />
        <div className="sampler-fields">
          <NumberField label="Population" value={form.population} step={1} min={2} onChange={(population) => set({ population })} testId="conformers-population" title="Replicas annealed together" />
          <NumberField label="Start temperature" unit="K" value={form.startTemperature} step={50} min={0} onChange={(startTemperature) => set({ startTemperature })} testId="conformers-start-temperature" />
          <NumberField label="Temperature" unit="K" value={form.temperature} step={1} min={0} onChange={(temperature) => set({ temperature })} testId="conformers-temperature" title="The ensemble's temperature: the end of the annealing and the Boltzmann weights" />
          <NumberField label="Energy window" unit="kcal/mol" value={form.windowKcal} step={0.5} min={0} onChange={(windowKcal) => set({ windowKcal })} testId="conformers-window" title="Keep conformers at most this far above the lowest" />
        </div>
        <button className="btn ghost" onClick={() => setAdvanced((a) => !a)} aria-expanded={advanced} data-testid="conformers-advanced">
          {advanced ? '▾' : '▸'} Advanced
        </button>
        {advanced ? (
          <div className="sampler-fields">
            <NumberField label="Rungs" value={form.rungs} step={1} min={1} onChange={(rungs) => set({ rungs })} testId="conformers-rungs" title="Temperature rungs from the start temperature down to the temperature" />
            <NumberField label="Steps per rung" value={form.stepsPerRung} step={10} min={1} onChange={(stepsPerRung) => set({ stepsPerRung })} testId="conformers-steps" />
            <NumberField label="RMSD threshold" unit="Å" value={form.rmsdThreshold} step={0.025} min={0} onChange={(rmsdThreshold) => set({ rmsdThreshold })} testId="conformers-rmsd" title="Heavy-atom RMSD (after alignment, symmetry-aware) below which two conformers are one" />
            <NumberField label="ESS threshold" value={form.essThreshold} step={0.05} min={0} onChange={(essThreshold) => set({ essThreshold })} testId="conformers-ess" title="Resample when the effective sample size falls below this fraction of the population" />
            <NumberField label="Seed" value={form.seed} step={1} min={0} onChange={(seed) => set({ seed })} testId="conformers-seed" />
          </div>
        ) : null}
        <div className="sampler-footer">
          <span className="muted" data-testid="conformers-problem">
            {problem ?? ''}
          </span>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" onClick={start} disabled={problem !== null} data-testid="conformers-start">
            Start
          </button>
        </div>
      </div>
    </div>
  );
}
