/** The built-in job kinds' toolbar commands (Relax, MD, Conformers, Generate, Label, Train) and their dialogs. */
import type { JobRequest } from '../../../../core/contract/equimol-api';
import { TRAIN_NEEDS_DESKTOP_REASON } from '../../../../core/contract/equimol-api';
import { useBuiltinJobs } from '../../builtin-jobs';
import { ConformersDialog } from '../../components/conformers-dialog';
import { GenerateDialog } from '../../components/generate-dialog';
import { LabelDialog } from '../../components/label-dialog';
import { SamplerDialog } from '../../components/sampler-dialog';
import { TrainDialog } from '../../components/train-dialog';
import type { SamplerMode } from '../../sampler-form';
import { registerCommand, registerPanel, type PanelContext, type PanelProps } from '../panel-registry';

export const JOBS_GROUP = 500;

export const DIALOGS = {
  relax: 'equimol.relax',
  md: 'equimol.md',
  conformers: 'equimol.conformers',
  generate: 'equimol.generate',
  label: 'equimol.label',
  train: 'equimol.train',
} as const;

const hasRecords = (ctx: PanelContext) => (ctx.activeDocument?.recordCount ?? 0) > 0;
const hasSelection = (ctx: PanelContext) => ctx.selectedIndex !== null;
const hasDocument = (ctx: PanelContext) => ctx.activeDocument !== undefined;
/** Closes the dialog, then hands the request to `start`. */
const starting = (ctx: PanelContext, start: (request: JobRequest) => void) => (request: JobRequest) => {
  ctx.closeDialog();
  start(request);
};

const jobCommands: ReadonlyArray<{ id: keyof typeof DIALOGS; label: string; tooltip: string; testId: string; enabled?: (ctx: PanelContext) => boolean }> = [
  { id: 'relax', label: 'Relax…', tooltip: 'Relax the selected structure or the whole file', testId: 'relax-button', enabled: hasRecords },
  { id: 'md', label: 'Run MD…', tooltip: 'Molecular dynamics of the selected structure', testId: 'md-button', enabled: hasSelection },
  { id: 'conformers', label: 'Conformers…', tooltip: 'Conformers of the selected molecule with energies and Boltzmann weights', testId: 'conformers-button', enabled: (ctx) => hasSelection(ctx) && !ctx.structure?.cell },
  { id: 'generate', label: 'Generate…', tooltip: 'Generate new 3D molecules with a diffusion model, scored like EDM', testId: 'generate-button' },
  { id: 'label', label: 'Label…', tooltip: "Label the file's structures with a calculator (xtb): energy, forces, charges, dipole, orbitals", testId: 'label-button', enabled: hasRecords },
];
jobCommands.forEach((c, i) => {
  registerCommand({
    id: `${DIALOGS[c.id]}.open`,
    title: c.label,
    toolbar: { area: 'viewer', group: JOBS_GROUP, order: 10 * (i + 1), label: c.label, tooltip: c.tooltip, testId: c.testId },
    ...(c.enabled ? { enabled: c.enabled } : {}),
    run: (ctx) => ctx.openDialog(DIALOGS[c.id]),
  });
});
const trainTooltip = (ctx: PanelContext) => (ctx.platform === 'web' ? TRAIN_NEEDS_DESKTOP_REASON : 'Train or fine-tune an energy model on the file (live curves; the model is listed as model:NAME)');
registerCommand({
  id: `${DIALOGS.train}.open`,
  title: 'Train…',
  toolbar: { area: 'viewer', group: JOBS_GROUP, order: 60, label: 'Train…', tooltip: trainTooltip, reason: (ctx) => (ctx.platform === 'web' ? TRAIN_NEEDS_DESKTOP_REASON : undefined), testId: 'train-button' },
  enabled: (ctx) => ctx.platform !== 'web' && hasRecords(ctx),
  run: (ctx) => ctx.openDialog(DIALOGS.train),
});

function SamplerJobDialog({ ctx, mode }: PanelProps & { readonly mode: SamplerMode }) {
  const { sampler } = useBuiltinJobs();
  const doc = ctx.activeDocument!;
  return (
    <SamplerDialog
      api={ctx.api}
      mode={mode}
      docId={doc.id}
      docName={doc.name}
      recordCount={doc.recordCount}
      selectedIndex={ctx.selectedIndex}
      selectedName={ctx.selectedSummary?.name ?? ''}
      selectedAtoms={ctx.selectedSummary?.atoms ?? 0}
      periodic={doc.periodic}
      onStart={starting(ctx, sampler.start)}
      onClose={ctx.closeDialog}
    />
  );
}
registerPanel({ id: DIALOGS.relax, title: 'Relax', location: 'dialog', when: hasDocument, component: ({ ctx }) => <SamplerJobDialog ctx={ctx} mode="relax" /> });
registerPanel({ id: DIALOGS.md, title: 'Molecular dynamics', location: 'dialog', when: hasDocument, component: ({ ctx }) => <SamplerJobDialog ctx={ctx} mode="md" /> });

function ConformersJobDialog({ ctx }: PanelProps) {
  const { conformers } = useBuiltinJobs();
  const doc = ctx.activeDocument!;
  return <ConformersDialog api={ctx.api} docId={doc.id} docName={doc.name} selectedIndex={ctx.selectedIndex!} selectedName={ctx.selectedSummary?.name ?? ''} onStart={starting(ctx, conformers.start)} onClose={ctx.closeDialog} />;
}
registerPanel({ id: DIALOGS.conformers, title: 'Conformers', location: 'dialog', when: (ctx) => hasDocument(ctx) && hasSelection(ctx), component: ConformersJobDialog });

function GenerateJobDialog({ ctx }: PanelProps) {
  const { generate } = useBuiltinJobs();
  return <GenerateDialog api={ctx.api} onStart={starting(ctx, generate.start)} onClose={ctx.closeDialog} />;
}
registerPanel({ id: DIALOGS.generate, title: 'Generate', location: 'dialog', component: GenerateJobDialog });

function TrainJobDialog({ ctx }: PanelProps) {
  const { train } = useBuiltinJobs();
  return <TrainDialog api={ctx.api} doc={ctx.activeDocument!} onStart={starting(ctx, train.start)} onClose={ctx.closeDialog} />;
}
registerPanel({ id: DIALOGS.train, title: 'Train', location: 'dialog', when: hasDocument, component: TrainJobDialog });

function LabelJobDialog({ ctx }: PanelProps) {
  const start = (request: JobRequest) => void ctx.startJob(request, { errorTitle: 'Could not start the labelling' });
  return <LabelDialog api={ctx.api} doc={ctx.activeDocument!} onStart={starting(ctx, start)} onClose={ctx.closeDialog} />;
}
registerPanel({ id: DIALOGS.label, title: 'Label', location: 'dialog', when: hasDocument, component: LabelJobDialog });
