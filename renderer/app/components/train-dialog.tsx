import { useEffect, useMemo, useState } from 'react';
import type { CalculatorInfo, DocumentInfo, EquimolApi, JobRequest, Structure, TrainFamily, TrainSize } from '../../../core/contract/equimol-api';
import {
  defaultTrainForm,
  ENERGY_UNIT_CHOICES,
  fineTuneChoices,
  FORCE_UNIT_CHOICES,
  TRAIN_FAMILIES,
  TRAIN_SIZES,
  trainDataOf,
  trainFormProblem,
  trainRequest,
  type TrainForm,
} from '../train-form';
import { NumberField } from './sampler-dialog';

export interface TrainDialogProps {
  readonly api: EquimolApi;
  /** The data: the current document. */
  readonly doc: DocumentInfo;
  readonly onStart: (request: JobRequest) => void;
  readonly onClose: () => void;
}

const FAMILY_NAMES: Readonly<Record<TrainFamily, string>> = { mace: 'MACE', egnn: 'EGNN', tdn: 'TDN', escn: 'eSCN', faenet: 'FAENet' };
const SIZE_NAMES: Readonly<Record<TrainSize, string>> = { tiny: 'tiny (a quick look)', small: 'small', standard: 'standard (the family defaults)' };
const SPLITS: ReadonlyArray<readonly [TrainForm['split'], string]> = [
  ['random', 'random'],
  ['name', 'by molecule name (all its frames on one side)'],
  ['scaffold', 'by scaffold'],
];

function Select<T extends string>(props: { label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (value: T) => void; testId: string; disabled?: boolean; title?: string }) {
  return (
    <label className="sampler-field" title={props.title}>
      <span>{props.label}</span>
      <select className="select" value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value as T)} data-testid={props.testId}>
        {props.options.map(([id, label]) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; testId: string; title?: string }) {
  return (
    <label className="sampler-field check" title={props.title}>
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} data-testid={props.testId} />
      <span>{props.label}</span>
    </label>
  );
}

/**
 * Train (or fine-tune) an energy model on the current document: targets from its columns with their units
 * (energy: a numeric property, forces: a per-atom 3-vector), family and size, split, a budget in epochs or
 * minutes, ensemble members, fine-tuning from a listed model (frozen trunk, unfrozen after N epochs) and the
 * new model's name. Start hands a TrainJobRequest to the host; the Train panel shows its curves.
 */
export function TrainDialog(props: TrainDialogProps) {
  const { api, doc } = props;
  const [first, setFirst] = useState<Structure | null | undefined>(undefined);
  const [models, setModels] = useState<readonly CalculatorInfo[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
    (doc.recordCount > 0 ? api.getStructure(doc.id, 0) : Promise.resolve(null)).then(
      (s) => live && setFirst(s),
      (error: unknown) => live && (setFirst(null), setListError(message(error))),
    );
    api.listCalculators().then(
      (list) => live && setModels(list),
      (error: unknown) => live && setListError(message(error)),
    );
    return () => {
      live = false;
    };
  }, [api, doc.id, doc.recordCount]);

  const data = useMemo(() => trainDataOf(doc, first ?? null), [doc, first]);
  const [form, setForm] = useState<TrainForm | null>(null);
  useEffect(() => {
    if (first !== undefined) setForm((f) => f ?? defaultTrainForm(data));
  }, [first, data]);
  const choices = fineTuneChoices(models);
  const problem = listError ?? (form === null ? 'Reading the data…' : trainFormProblem(form, data, models));
  const set = (patch: Partial<TrainForm>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const start = () => {
    if (problem === null && form) props.onStart(trainRequest(form, data));
  };
  const f = form ?? defaultTrainForm(data);
  const fineTune = f.init !== '';

  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="train-dialog">
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Train a model">
        <h3>Train a model</h3>
        <div className="sampler-scope muted">
          On every structure of {doc.name} ({doc.recordCount.toLocaleString('en-US')}): an energy model whose forces are the energy's gradient. It is written to your models folder and listed as model:{f.name} (predictor and calculator) when the job ends.
        </div>
        <div className="section-title">Targets</div>
        <div className="sampler-fields">
          <Check label="Energy" checked={f.useEnergy} onChange={(useEnergy) => set({ useEnergy })} testId="train-use-energy" />
          <Select label="Energy property" value={f.energyKey} options={data.energyKeys.length > 0 ? data.energyKeys.map((e) => [e.key, e.unit ? `${e.key} (${e.unit})` : e.key] as const) : [[f.energyKey, 'no numeric property']]} onChange={(energyKey) => set({ energyKey, energyUnit: ENERGY_UNIT_CHOICES.find((u) => u === data.energyKeys.find((e) => e.key === energyKey)?.unit) ?? f.energyUnit })} testId="train-energy-key" disabled={!f.useEnergy} />
          <Select label="Energy unit in the file" value={f.energyUnit} options={ENERGY_UNIT_CHOICES.map((u) => [u, u] as const)} onChange={(energyUnit) => set({ energyUnit })} testId="train-energy-unit" disabled={!f.useEnergy} />
          <Check label="Forces" checked={f.useForces} onChange={(useForces) => set({ useForces })} testId="train-use-forces" />
          <Select label="Forces array" value={f.forcesKey} options={data.forceKeys.length > 0 ? data.forceKeys.map((k) => [k, k] as const) : [[f.forcesKey, 'no per-atom 3-vector']]} onChange={(forcesKey) => set({ forcesKey })} testId="train-forces-key" disabled={!f.useForces} />
          <Select label="Forces unit in the file" value={f.forcesUnit} options={FORCE_UNIT_CHOICES.map((u) => [u, u] as const)} onChange={(forcesUnit) => set({ forcesUnit })} testId="train-forces-unit" disabled={!f.useForces} />
        </div>
        <div className="section-title">Model</div>
        <div className="sampler-fields">
          <Select label="Fine-tune from" value={f.init} options={[['', 'nothing: train from scratch'], ...choices.map((m) => [m.id, m.id] as const)]} onChange={(init) => set({ init })} testId="train-init" />
          <Select label="Family" value={f.family} options={TRAIN_FAMILIES.map((x) => [x, FAMILY_NAMES[x]] as const)} onChange={(family) => set({ family })} testId="train-family" disabled={fineTune} title={fineTune ? 'A fine-tuned model keeps its family and size' : undefined} />
          <Select label="Size" value={f.size} options={TRAIN_SIZES.map((x) => [x, SIZE_NAMES[x]] as const)} onChange={(size) => set({ size })} testId="train-size" disabled={fineTune} />
          {fineTune ? (
            <>
              <Check label="Frozen trunk (readout first)" checked={f.freezeTrunk} onChange={(freezeTrunk) => set({ freezeTrunk })} testId="train-freeze" />
              {f.freezeTrunk ? <NumberField label="Unfreeze after" unit="epochs" value={f.unfreezeAfter} step={1} min={0} onChange={(unfreezeAfter) => set({ unfreezeAfter })} testId="train-unfreeze-after" /> : <span />}
              <Check label="Refit reference energies" checked={f.refitReferenceEnergies} onChange={(refitReferenceEnergies) => set({ refitReferenceEnergies })} testId="train-refit" title="For data at another level of theory than the model's" />
            </>
          ) : null}
          <label className="sampler-field">
            <span>Model name</span>
            <input className="input mono" value={f.name} onChange={(e) => set({ name: e.target.value })} data-testid="train-name" />
          </label>
          <NumberField label="Members" value={f.members} step={1} min={1} onChange={(members) => set({ members })} testId="train-members" title="An ensemble of this many models (seeds); its spread says how sure it is" />
          <NumberField label="Seed" value={f.seed} step={1} min={0} onChange={(seed) => set({ seed })} testId="train-seed" />
        </div>
        <div className="section-title">Data split and budget</div>
        <div className="sampler-fields">
          <Select label="Split" value={f.split} options={SPLITS} onChange={(split) => set({ split })} testId="train-split" />
          <NumberField label="Validation" unit="fraction" value={f.validation} step={0.05} min={0} onChange={(validation) => set({ validation })} testId="train-validation" />
          <NumberField label="Test" unit="fraction" value={f.test} step={0.05} min={0} onChange={(test) => set({ test })} testId="train-test" />
          <Select label="Budget per member" value={f.budget} options={[['epochs', 'epochs'], ['minutes', 'minutes']]} onChange={(budget) => set({ budget })} testId="train-budget" />
          {f.budget === 'epochs' ? (
            <NumberField label="Epochs" value={f.epochs} step={1} min={1} onChange={(epochs) => set({ epochs })} testId="train-epochs" />
          ) : (
            <NumberField label="Minutes" value={f.minutes} step={1} min={1} onChange={(minutes) => set({ minutes })} testId="train-minutes" />
          )}
        </div>
        <div className="sampler-footer">
          <span className="muted" data-testid="train-problem">
            {problem ?? ''}
          </span>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" onClick={start} disabled={problem !== null} data-testid="train-start">
            Start
          </button>
        </div>
      </div>
    </div>
  );
}
