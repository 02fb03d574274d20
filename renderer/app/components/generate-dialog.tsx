import { useEffect, useState } from 'react';
import type { EquimolApi, GeneratorInfo, JobRequest } from '../../../core/contract/equimol-api';
import { defaultGenerateForm, GENERATE_SCHEDULES, generateFormProblem, generateRequest, type GenerateForm, type GenerateSchedule } from '../generate-form';
import { NumberField } from './sampler-dialog';

export interface GenerateDialogProps {
  readonly api: EquimolApi;
  readonly onStart: (request: JobRequest) => void;
  readonly onClose: () => void;
}

/**
 * Generate new 3D molecules: the installed generators (listGenerators; a file that cannot be used is listed with
 * why), the number of molecules, atom counts drawn from the training data or fixed, denoising steps (at most the
 * trained T) and where they go (the step schedule), seed, a property target for a conditional generator and the denoising trajectory. Start hands a
 * GenerateJobRequest to the host; progress shows in the jobs panel, the molecules open as a document.
 */
export function GenerateDialog(props: GenerateDialogProps) {
  const [generators, setGenerators] = useState<readonly GeneratorInfo[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [form, setForm] = useState<GenerateForm>(defaultGenerateForm(undefined));
  useEffect(() => {
    let live = true;
    props.api.listGenerators().then(
      (list) => {
        if (!live) return;
        setGenerators(list);
        setForm(defaultGenerateForm(list.find((g) => g.available) ?? list[0]));
      },
      (error: unknown) => live && setListError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [props.api]);

  const info = generators?.find((g) => g.id === form.generator);
  const problem = listError ?? (generators === null ? 'Listing generators…' : generateFormProblem(form, info));
  const set = (patch: Partial<GenerateForm>) => setForm((f) => ({ ...f, ...patch }));
  const choose = (id: string) => setForm((f) => ({ ...defaultGenerateForm(generators?.find((g) => g.id === id)), count: f.count, seed: f.seed }));
  const start = () => {
    if (problem === null && info) props.onStart(generateRequest(form, info));
  };

  return (
    <div className="modal-backdrop" onMouseDown={props.onClose} data-testid="generate-dialog">
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Generate molecules">
        <h3>Generate molecules</h3>
        <div className="sampler-scope">
          <div className="muted">
            New 3D molecules from an E(3)-equivariant diffusion model (EDM), scored as EDM scores them: atom and molecule stability, RDKit validity, uniqueness. They open as a new document with the scores as columns.
          </div>
        </div>
        <div className="section-title">Generator</div>
        <div className="calculator-list" role="radiogroup" data-testid="generator-list">
          {(generators ?? []).map((g) => (
            <label key={g.id} className={`calculator${g.available ? '' : ' disabled'}`} title={g.available ? g.description : g.reason}>
              <input type="radio" name="generator" checked={form.generator === g.id} disabled={!g.available} onChange={() => choose(g.id)} data-testid={`generator-${g.name}`} />
              <span>
                <strong>{g.title}</strong> <small className="muted">{g.available ? g.description : g.reason}</small>
              </span>
            </label>
          ))}
        </div>
        <div className="sampler-fields">
          <NumberField label="Molecules" value={form.count} step={1} min={1} onChange={(count) => set({ count })} testId="generate-count" />
          <NumberField label="Steps" value={form.steps} step={1} min={1} onChange={(steps) => set({ steps })} testId="generate-steps" title={info ? (info.family === 'edm' ? `Denoising steps, at most the ${info.timesteps} the generator was trained with` : `Bayesian-flow steps, at most ${info.timesteps}`) : undefined} />
          <label className="sampler-field" title={GENERATE_SCHEDULES.find((s) => s.id === form.schedule)?.title}>
            <span>Step schedule</span>
            <select className="select" value={form.schedule} onChange={(e) => set({ schedule: e.target.value as GenerateSchedule })} data-testid="generate-schedule">
              {GENERATE_SCHEDULES.map((s) => (
                <option key={s.id} value={s.id} title={s.title}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <NumberField label="Seed" value={form.seed} step={1} min={0} onChange={(seed) => set({ seed })} testId="generate-seed" />
          <label className="sampler-field">
            <span>Atom count</span>
            <select className="select" value={form.atomsMode} onChange={(e) => set({ atomsMode: e.target.value as GenerateForm['atomsMode'] })} data-testid="generate-atoms-mode">
              <option value="sampled">Sampled from the training data{info ? ` (${info.minAtoms}–${info.maxAtoms})` : ''}</option>
              <option value="fixed">Fixed</option>
            </select>
          </label>
          {form.atomsMode === 'fixed' ? <NumberField label="Atoms" value={form.atoms} step={1} min={1} onChange={(atoms) => set({ atoms })} testId="generate-atoms" /> : null}
          {info?.property ? (
            <>
              <label className="sampler-field check" title={`Without a target the generator aims at the training mean (${info.property.mean.toFixed(2)})`}>
                <input type="checkbox" checked={form.useTarget} onChange={(e) => set({ useTarget: e.target.checked })} data-testid="generate-use-target" />
                <span>Target {info.property.name}</span>
              </label>
              {form.useTarget ? <NumberField label={`${info.property.name} target`} value={form.targetValue} step={0.1} onChange={(targetValue) => set({ targetValue })} testId="generate-target" /> : null}
            </>
          ) : null}
          <label className="sampler-field check">
            <input type="checkbox" checked={form.trajectory} onChange={(e) => set({ trajectory: e.target.checked })} data-testid="generate-trajectory" />
            <span>Denoising trajectory of molecule 1</span>
          </label>
        </div>
        <div className="sampler-footer">
          <span className="muted" data-testid="generate-problem">
            {problem ?? ''}
          </span>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" onClick={start} disabled={problem !== null} data-testid="generate-start">
            Start
          </button>
        </div>
      </div>
    </div>
  );
}
