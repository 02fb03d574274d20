/**
 * The human-readable card (`NAME.md`) of a potential member trained by scripts/train-hcnof-potential.ts: what it is,
 * every run (command, epochs, seconds, how it stopped, start weights), the learning curve (validation errors per
 * epoch of each run) and the measured test and out-of-distribution errors.
 *
 *   node --import tsx scripts/potential-card.ts MEMBER.model.json [--history RUN1.log.json,RUN2.log.json] [--ood OOD.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface Run { epochs: number; seconds: number; command: string; stoppedBy?: string; initWeightsSha256?: string }
interface Metrics { dataset: string; structures: number; energyMAE_meV_per_atom: number; forceMAE_meV_per_A: number; energyRMSE_meV?: number; forceRMSE_meV_per_A?: number }
interface HistoryEntry { epoch: number; loss: number; learningRate: number; validation: { energyMAE_meV_per_atom: number; forceMAE_meV_per_A: number } }
interface OodSummary {
  errors: { all: Metrics; fluorine: Metrics; noFluorine: Metrics };
  relax: { molecules: number; medianRmsd: number; within0_1: number; within0_25: number; converged: number };
  /** Per drug: `energyGap_meV` is the potential's energy at its own minimum minus its energy at the xtb --opt geometry. */
  relaxRows?: Array<{ name: string; rmsd: number; status: string; energyGap_meV: number }>;
  md: Array<{ name: string; status: string; steps: number; summary: string }>;
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** Markdown card of a member: `doc` is the model file's JSON, `histories` the per-run validation curves. */
export function potentialCard(doc: { card: { title: string; description: string; intendedUse: string; limitations: string; citation?: string }; config: Record<string, unknown>; training: { dataset: string; epochs: number; seconds: number; runs?: Run[]; backend: string; options: Record<string, unknown> }; metrics?: Metrics[] }, histories: ReadonlyArray<readonly HistoryEntry[]>, ood?: OodSummary): string {
  const runs = doc.training.runs ?? [];
  const lines = [
    `# ${doc.card.title}`, '', doc.card.description, '',
    `**Status: in training, not shipped** (an ensemble needs three members; this is one).`, '',
    `- Config: \`${JSON.stringify(doc.config)}\``,
    `- Training data: ${doc.training.dataset}`,
    `- Training so far: ${doc.training.epochs} epochs of ${String(doc.training.options['epochSize'])} frames in ${runs.length} run(s), ${Math.round(doc.training.seconds / 60)} min wall clock on ${doc.training.backend} (one shared core at nice 19; other work ran beside it)`,
    ...runs.map((r, k) => `  - run ${k + 1}: ${r.epochs} epochs, ${r.seconds} s, stopped by ${r.stoppedBy ?? '?'}: \`${r.command}\`${r.initWeightsSha256 ? ` (from weights SHA-256 ${r.initWeightsSha256.slice(0, 16)}…)` : ''}`),
    '', '## Measured', '',
    '| data | frames | energy MAE (meV/atom) | force MAE (meV/Å) |', '|---|---|---|---|',
    ...(doc.metrics ?? []).map((m) => `| ${m.dataset} | ${m.structures} | ${fmt(m.energyMAE_meV_per_atom, 2)} | ${fmt(m.forceMAE_meV_per_A)} |`),
  ];
  if (ood) {
    // Rows continuing the member's metrics table above.
    lines.push(...oodLines(ood, { header: false, label: 'out of distribution: 76 drugs' }));
  }
  lines.push('', '## Learning curve (validation, per epoch)', '', '| run | epoch | energy MAE (meV/atom) | force MAE (meV/Å) | lr |', '|---|---|---|---|---|');
  histories.forEach((h, r) => h.forEach((e) => lines.push(`| ${r + 1} | ${e.epoch + 1} | ${fmt(e.validation.energyMAE_meV_per_atom, 2)} | ${fmt(e.validation.forceMAE_meV_per_A)} | ${e.learningRate.toExponential(2)} |`)));
  lines.push('', `- Intended use: ${doc.card.intendedUse}`, `- Limitations: ${doc.card.limitations}`, ...(doc.card.citation ? [`- Cite: ${doc.card.citation}`] : []), '');
  return lines.join('\n');
}

interface EnsembleDoc {
  card: { title: string; description: string; intendedUse: string; limitations: string; citation?: string };
  config: { trunkConfig?: Record<string, unknown> };
  training: { dataset: string; seconds: number; backend: string; options: Record<string, unknown> };
  calibration?: Record<string, number>;
  domainThresholds?: Record<string, number>;
  propertyMetrics?: Array<{ dataset: string; structures: number; metrics: Record<string, number> }>;
}
interface MemberDoc { training: { epochs: number; seconds: number; runs?: Run[]; options?: Record<string, unknown> }; metrics?: Metrics[] }

/** Markdown card of the shipped ensemble: members and their budgets, calibrated test metrics, out-of-distribution figures. */
export function potentialEnsembleCard(doc: EnsembleDoc, memberFiles: readonly string[], members: readonly MemberDoc[], ood?: OodSummary): string {
  const metrics = doc.propertyMetrics ?? [];
  const hashes = (doc.training.options['weightsSha256'] as string[] | undefined) ?? [];
  const lines = [
    `# ${doc.card.title}`, '', doc.card.description, '',
    `- Trunk config: \`${JSON.stringify(doc.config.trunkConfig ?? {})}\``,
    `- Training data: ${doc.training.dataset}`,
    `- CPU training budget: ${Math.round(doc.training.seconds / 60)} min of one core in all (${doc.training.backend}), members trained independently from their own seeds:`,
    ...members.map((m, k) => {
      const test = (m.metrics ?? []).find((x) => x.dataset.startsWith('test'));
      return `  - member ${k + 1} \`${memberFiles[k]}\` (weights SHA-256 ${(hashes[k] ?? '').slice(0, 16)}…): ${m.training.epochs} epochs of ${String(m.training.options?.['epochSize'] ?? '?')} frames, ${Math.round(m.training.seconds / 60)} min, ${(m.training.runs ?? []).length} run(s)` +
        (test ? `; alone on the test split ${fmt(test.energyMAE_meV_per_atom, 2)} meV/atom, ${fmt(test.forceMAE_meV_per_A)} meV/Å` : '');
    }),
    `- Assembled by: \`${String(doc.training.options['command'] ?? '')}\``,
    '', '## Measured (ensemble mean; spreads z-scaled on validation)', '',
    '| data | frames | energy MAE (meV/atom) | force MAE (meV/Å) | Spearman ρ(abs. error, spread) energy / forces | miscalibration area energy / forces |', '|---|---|---|---|---|---|',
    ...metrics.map((m) => `| ${m.dataset} | ${m.structures} | ${fmt(m.metrics['energyMAE_meV_per_atom'] ?? NaN, 2)} | ${fmt(m.metrics['forcesMAE_meV_per_A'] ?? NaN)} | ${fmt(m.metrics['energySpearman'] ?? NaN, 3)} / ${fmt(m.metrics['forcesSpearman'] ?? NaN, 3)} | ${fmt(m.metrics['energyMiscalibrationArea'] ?? NaN, 3)} / ${fmt(m.metrics['forcesMiscalibrationArea'] ?? NaN, 3)} |`),
    '',
    `Calibration factors: ${Object.entries(doc.calibration ?? {}).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}. ` +
      `Domain thresholds (99th percentile of the calibrated spread on validation; a row above is flagged): ${Object.entries(doc.domainThresholds ?? {}).map(([k, v]) => `${k} ${v.toPrecision(3)}${k === 'forces' ? ' eV/Å per atom' : ' eV'}`).join(', ')}.`,
  ];
  if (ood) lines.push('', '## Out of distribution', '', ...oodLines(ood));
  lines.push('', 'Learning curves: each member\'s card (`data/checkpoints/hcnof-xtb-potential/mK.md`).', '',
    `- Intended use: ${doc.card.intendedUse}`, `- Limitations: ${doc.card.limitations}`, ...(doc.card.citation ? [`- Cite: ${doc.card.citation}`] : []), '');
  return lines.join('\n');
}

/**
 * The card's limitations from the measured figures (test split and out of distribution), so that the sentence a user
 * reads beside the model always states the errors of the weights it ships with.
 */
export function measuredPotentialLimitations(test: Record<string, number>, ood: OodSummary): string {
  const eVPerA = (meV: number | undefined) => (meV === undefined ? 'n/a' : (meV / 1000).toFixed(meV < 100 ? 3 : 2));
  const rows = ood.relaxRows ?? [];
  const below = rows.filter((r) => Number.isFinite(r.energyGap_meV) && r.energyGap_meV < 0).length;
  const minimum = rows.length > 0
    ? `, in a minimum of its own (${below} of ${rows.length} end below its energy at the xtb geometry)`
    : '';
  return `GFN2-xTB quality at best, and well below it so far: forces ${eVPerA(test['forcesMAE_meV_per_A'])} eV/Å MAE on held-out QM9 frames ` +
    `and ${eVPerA(ood.errors.all.forceMAE_meV_per_A)} eV/Å on larger drugs (energies ${fmt(test['energyMAE_meV_per_atom'] ?? NaN)} and ` +
    `${fmt(ood.errors.all.energyMAE_meV_per_atom)} meV/atom); relaxing a drug with it ends a median ${fmt(ood.relax.medianRmsd, 2)} Å ` +
    `(heavy-atom RMSD) from xtb --opt${minimum}, so use it for pre-relaxation, screening and short MD, and relax with xtb for final ` +
    'geometries; no long-range electrostatics beyond the 5 Å cutoff; charged, open-shell, periodic or metal-containing systems are outside its training.';
}

/** The out-of-distribution figures: a table (with its header, or rows for a table above), then relaxation and MD. */
function oodLines(ood: OodSummary, options: { header: boolean; label: string } = { header: true, label: '76 drugs' }): string[] {
  return [
    ...(options.header ? ['| data | frames | energy MAE (meV/atom) | force MAE (meV/Å) |', '|---|---|---|---|'] : []),
    `| ${options.label} (test/fixtures/ood-drugs), all frames | ${ood.errors.all.structures} | ${fmt(ood.errors.all.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.all.forceMAE_meV_per_A)} |`,
    `| … drugs with fluorine | ${ood.errors.fluorine.structures} | ${fmt(ood.errors.fluorine.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.fluorine.forceMAE_meV_per_A)} |`,
    `| … drugs without fluorine | ${ood.errors.noFluorine.structures} | ${fmt(ood.errors.noFluorine.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.noFluorine.forceMAE_meV_per_A)} |`,
    '',
    `Relaxation (ANCopt, level normal) of each drug's displaced frame against its \`xtb --opt\` geometry: ${ood.relax.molecules} molecules, median heavy-atom RMSD ${fmt(ood.relax.medianRmsd, 3)} Å, ${ood.relax.within0_1} within 0.1 Å, ${ood.relax.within0_25} within 0.25 Å, ${ood.relax.converged} converged.`,
    '', 'Molecular dynamics (Langevin 300 K, 0.5 fs) under the watchdogs:',
    ...ood.md.map((m) => `- ${m.name}: ${m.status} after ${m.steps} steps (${m.summary})`),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { history: { type: 'string' }, ood: { type: 'string' }, out: { type: 'string' } } });
  const modelPath = positionals[0];
  if (!modelPath) throw new Error('usage: potential-card.ts MEMBER.model.json [--history a.log.json,b.log.json] [--ood ood.json] [--out card.md]');
  const doc = JSON.parse(await readFile(modelPath, 'utf8'));
  const ood = values.ood ? (JSON.parse(await readFile(values.ood, 'utf8')) as OodSummary) : undefined;
  const out = values.out ?? modelPath.replace(/\.model\.json$/, '.md');
  if (Array.isArray(doc.members)) {
    // An ensemble file (scripts/train-hcnof-potential.ts --assemble): its members are named in the training record.
    const files = doc.training.options.members as string[];
    const members = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as MemberDoc));
    const test = (doc as EnsembleDoc).propertyMetrics?.find((m) => m.dataset.startsWith('test'));
    if (ood && test) {
      // The limitations state the measured errors: written into the model file (what the app shows) and the card.
      doc.card.limitations = measuredPotentialLimitations(test.metrics, ood);
      await writeFile(modelPath, `${JSON.stringify(doc, null, 2)}\n`);
      console.log(`wrote the measured limitations into ${modelPath}`);
    }
    await writeFile(out, potentialEnsembleCard(doc, files, members, ood));
    console.log(`wrote ${out}`);
    process.exit(0);
  }
  const histories = await Promise.all((values.history ? values.history.split(',') : []).map(async (f) => (JSON.parse(await readFile(f, 'utf8')) as { history: HistoryEntry[] }).history));
  await writeFile(out, potentialCard(doc, histories, ood));
  console.log(`wrote ${out}`);
}
