import { useMemo, useState, type ReactNode } from 'react';
import { RELAX_LEVELS, type EquimolApi, type JobRequest, type Optimizer, type RelaxLevel, type Thermostat } from '../../../core/contract/equimol-api';
import { useCalculatorChoices } from '../hooks/use-calculators';
import { CalculatorChooser, useChosenCalculator } from './calculator-chooser';
import {
  DEFAULT_MD_FORM,
  DEFAULT_RELAX_FORM,
  effectiveOptimizer,
  mdFormProblem,
  mdRequest,
  parseAtomList,
  relaxFormProblem,
  relaxRequest,
  type MdForm,
  type RelaxForm,
  type SamplerMode,
} from '../sampler-form';
import { plural } from '../util/format';

export interface SamplerDialogProps {
  readonly api: EquimolApi;
  readonly mode: SamplerMode;
  readonly docId: string;
  readonly docName: string;
  readonly recordCount: number;
  /** The selected structure (0-based) and its name; null when none is selected. */
  readonly selectedIndex: number | null;
  readonly selectedName: string;
  /** Atoms of the selected structure (for the fixed-atom list). */
  readonly selectedAtoms: number;
  readonly periodic: boolean;
  readonly onStart: (request: JobRequest) => void;
  readonly onClose: () => void;
}

export function NumberField(props: { label: string; unit?: string; value: number; step?: number; min?: number; onChange: (value: number) => void; testId: string; title?: string }) {
  return (
    <label className="sampler-field" title={props.title}>
      <span>
        {props.label}
        {props.unit ? <small> ({props.unit})</small> : null}
      </span>
      <input
        className="input mono"
        type="number"
        step={props.step ?? 'any'}
        min={props.min}
        value={Number.isFinite(props.value) ? props.value : ''}
        onChange={(e) => props.onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
        data-testid={props.testId}
      />
    </label>
  );
}

function SelectField<T extends string>(props: { label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (value: T) => void; testId: string }) {
  return (
    <label className="sampler-field">
      <span>{props.label}</span>
      <select className="select" value={props.value} onChange={(e) => props.onChange(e.target.value as T)} data-testid={props.testId}>
        {props.options.map(([id, label]) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

const OPTIMIZERS: ReadonlyArray<readonly [Optimizer, string]> = [
  ['anc', 'ANCopt (xtb)'],
  ['fire', 'FIRE'],
  ['lbfgs', 'L-BFGS'],
];
const LEVELS: ReadonlyArray<readonly [RelaxLevel, string]> = RELAX_LEVELS.map((level) => [level, level]);
const THERMOSTATS: ReadonlyArray<readonly [Thermostat, string]> = [
  ['langevin', 'Langevin'],
  ['csvr', 'CSVR (Bussi)'],
  ['nose-hoover', 'Nosé–Hoover'],
  ['none', 'None (NVE)'],
];

/**
 * Relax / Run MD dialog: what to run on (the selected structure, or for relax the whole file as a batch), a
 * calculator chooser (ones that cannot run on the target are greyed out with the reason), the main settings and
 * an Advanced section. Start hands the request to the host, which calls startJob.
 */
export function SamplerDialog(props: SamplerDialogProps) {
  const { mode } = props;
  const [scope, setScope] = useState<'selected' | 'file'>(props.selectedIndex === null ? 'file' : 'selected');
  const indices = mode === 'md' || scope === 'selected' ? (props.selectedIndex === null ? [] : [props.selectedIndex]) : null;
  const calculators = useCalculatorChoices(props.api, props.docId, indices);
  const [calculator, setCalculator] = useChosenCalculator(calculators);
  const [relax, setRelax] = useState<RelaxForm>(DEFAULT_RELAX_FORM);
  const [md, setMd] = useState<MdForm>(DEFAULT_MD_FORM);
  const [advanced, setAdvanced] = useState(false);
  const [fixedText, setFixedText] = useState('');
  const single = indices !== null;
  let fixedAtoms: number[] = [];
  let fixedProblem: string | null = null;
  try {
    fixedAtoms = single ? parseAtomList(fixedText, props.selectedAtoms) : [];
  } catch (error) {
    fixedProblem = `Fixed atoms: ${error instanceof Error ? error.message : String(error)}`;
  }

  const problem = useMemo(() => {
    if (indices !== null && indices.length === 0) return 'Select a structure first.';
    if (!calculator) return calculators.loading ? 'Checking calculators…' : 'No calculator can run on these structures.';
    return fixedProblem ?? (mode === 'relax' ? relaxFormProblem(relax) : mdFormProblem(md));
  }, [indices, calculator, calculators.loading, mode, relax, md, fixedProblem]);

  const start = () => {
    if (problem) return;
    const target = { docId: props.docId, indices, fixedAtoms };
    props.onStart(mode === 'relax' ? relaxRequest(target, calculator, relax, props.periodic) : mdRequest(target, calculator, md));
  };

  const setR = (patch: Partial<RelaxForm>) => setRelax((f) => ({ ...f, ...patch }));
  const setM = (patch: Partial<MdForm>) => setMd((f) => ({ ...f, ...patch }));
  const title = mode === 'relax' ? 'Relax' : 'Run molecular dynamics';
  let fields: ReactNode;
  let advancedFields: ReactNode;
  if (mode === 'relax') {
    const optimizer = effectiveOptimizer(relax, props.periodic);
    fields = optimizer === 'anc'
      ? <SelectField label="Convergence" value={relax.level} options={LEVELS} onChange={(level) => setR({ level })} testId="relax-level" />
      : <NumberField label="fmax" unit="eV/Å" value={relax.fmax} step={0.01} min={0} onChange={(fmax) => setR({ fmax })} testId="relax-fmax" title="Converged when the largest force on a free atom is at most this" />;
    advancedFields = (
      <>
        <SelectField label="Optimizer" value={optimizer} options={props.periodic ? OPTIMIZERS.filter(([id]) => id !== 'anc') : OPTIMIZERS} onChange={(optimizer) => setR({ optimizer })} testId="relax-optimizer" />
        <NumberField label="Max steps" value={relax.maxSteps} step={1} min={1} onChange={(maxSteps) => setR({ maxSteps })} testId="relax-max-steps" />
        {optimizer === 'anc' ? null : <NumberField label="Max step" unit="Å" value={relax.maxStep} step={0.05} min={0} onChange={(maxStep) => setR({ maxStep })} testId="relax-max-step" />}
        {props.periodic ? (
          <>
            <label className="sampler-field check">
              <input type="checkbox" checked={relax.relaxCell} onChange={(e) => setR({ relaxCell: e.target.checked })} data-testid="relax-cell" />
              <span>Relax the cell</span>
            </label>
            <NumberField label="Pressure" unit="GPa" value={relax.pressureGPa} step={0.1} onChange={(pressureGPa) => setR({ pressureGPa })} testId="relax-pressure" />
          </>
        ) : null}
      </>
    );
  } else {
    fields = (
      <>
        <NumberField label="Temperature" unit="K" value={md.temperature} step={10} min={0} onChange={(temperature) => setM({ temperature })} testId="md-temperature" />
        <NumberField label="Time step" unit="fs" value={md.timestep} step={0.1} min={0} onChange={(timestep) => setM({ timestep })} testId="md-timestep" />
        <NumberField label="Steps" value={md.steps} step={100} min={1} onChange={(steps) => setM({ steps })} testId="md-steps" />
      </>
    );
    advancedFields = (
      <>
        <SelectField label="Thermostat" value={md.thermostat} options={THERMOSTATS} onChange={(thermostat) => setM({ thermostat })} testId="md-thermostat" />
        {md.thermostat === 'langevin' ? <NumberField label="Friction" unit="1/fs" value={md.friction} step={0.001} min={0} onChange={(friction) => setM({ friction })} testId="md-friction" /> : null}
        {md.thermostat === 'csvr' || md.thermostat === 'nose-hoover' ? <NumberField label="Tau" unit="fs" value={md.tau} step={10} min={0} onChange={(tau) => setM({ tau })} testId="md-tau" /> : null}
        <NumberField label="Frame every" unit="steps" value={md.every} step={1} min={1} onChange={(every) => setM({ every })} testId="md-every" />
        <NumberField label="Seed" value={md.seed} step={1} min={0} onChange={(seed) => setM({ seed })} testId="md-seed" />
      </>
    );
  }

  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="sampler-dialog" data-mode={mode}>
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label={title}>
        <h3>{title}</h3>
        <div className="sampler-scope">
          {mode === 'relax' ? (
            <>
              <label className={props.selectedIndex === null ? 'disabled' : ''}>
                <input type="radio" name="scope" checked={scope === 'selected'} disabled={props.selectedIndex === null} onChange={() => setScope('selected')} data-testid="scope-selected" />
                The selected structure{props.selectedIndex === null ? '' : ` (#${props.selectedIndex + 1} ${props.selectedName})`}, with its trajectory
              </label>
              <label>
                <input type="radio" name="scope" checked={scope === 'file'} onChange={() => setScope('file')} data-testid="scope-file" />
                All {plural(props.recordCount, 'structure')} of {props.docName} (batch)
              </label>
            </>
          ) : (
            <div className="muted">
              Structure #{(props.selectedIndex ?? 0) + 1} {props.selectedName} of {props.docName}
            </div>
          )}
        </div>
        <div className="section-title">Calculator</div>
        <CalculatorChooser calculators={calculators} chosen={calculator} onChoose={setCalculator} />
        <div className="sampler-fields">{fields}</div>
        <button className="btn ghost" onClick={() => setAdvanced((a) => !a)} aria-expanded={advanced} data-testid="sampler-advanced">
          {advanced ? '▾' : '▸'} Advanced
        </button>
        {advanced ? (
          <div className="sampler-fields">
            {advancedFields}
            {single ? (
              <label className="sampler-field wide" title="Held in place; selective dynamics (move_mask) of the file are always honoured">
                <span>
                  Fixed atoms <small>(1-based, e.g. 1,2,5-7)</small>
                </span>
                <input className="input mono" value={fixedText} onChange={(e) => setFixedText(e.target.value)} placeholder="none" data-testid="sampler-fixed" />
              </label>
            ) : null}
          </div>
        ) : null}
        <div className="sampler-footer">
          <span className="muted" data-testid="sampler-problem">
            {problem ?? ''}
          </span>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" onClick={start} disabled={problem !== null} data-testid="sampler-start">
            Start
          </button>
        </div>
      </div>
    </div>
  );
}
