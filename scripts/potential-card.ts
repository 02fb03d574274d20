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
    lines.push(
      `| out of distribution: 76 drugs (test/fixtures/ood-drugs), all frames | ${ood.errors.all.structures} | ${fmt(ood.errors.all.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.all.forceMAE_meV_per_A)} |`,
      `| … drugs with fluorine | ${ood.errors.fluorine.structures} | ${fmt(ood.errors.fluorine.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.fluorine.forceMAE_meV_per_A)} |`,
      `| … drugs without fluorine | ${ood.errors.noFluorine.structures} | ${fmt(ood.errors.noFluorine.energyMAE_meV_per_atom, 2)} | ${fmt(ood.errors.noFluorine.forceMAE_meV_per_A)} |`,
      '',
      `Relaxation (ANCopt, level normal) of each drug's displaced frame against its \`xtb --opt\` geometry: ${ood.relax.molecules} molecules, median heavy-atom RMSD ${fmt(ood.relax.medianRmsd, 3)} Å, ${ood.relax.within0_1} within 0.1 Å, ${ood.relax.within0_25} within 0.25 Å, ${ood.relax.converged} converged.`,
      '', 'Molecular dynamics (Langevin 300 K, 0.5 fs) under the watchdogs:',
      ...ood.md.map((m) => `- ${m.name}: ${m.status} after ${m.steps} steps (${m.summary})`),
    );
  }
  lines.push('', '## Learning curve (validation, per epoch)', '', '| run | epoch | energy MAE (meV/atom) | force MAE (meV/Å) | lr |', '|---|---|---|---|---|');
  histories.forEach((h, r) => h.forEach((e) => lines.push(`| ${r + 1} | ${e.epoch + 1} | ${fmt(e.validation.energyMAE_meV_per_atom, 2)} | ${fmt(e.validation.forceMAE_meV_per_A)} | ${e.learningRate.toExponential(2)} |`)));
  lines.push('', `- Intended use: ${doc.card.intendedUse}`, `- Limitations: ${doc.card.limitations}`, ...(doc.card.citation ? [`- Cite: ${doc.card.citation}`] : []), '');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { history: { type: 'string' }, ood: { type: 'string' }, out: { type: 'string' } } });
  const modelPath = positionals[0];
  if (!modelPath) throw new Error('usage: potential-card.ts MEMBER.model.json [--history a.log.json,b.log.json] [--ood ood.json] [--out card.md]');
  const doc = JSON.parse(await readFile(modelPath, 'utf8'));
  const histories = await Promise.all((values.history ? values.history.split(',') : []).map(async (f) => (JSON.parse(await readFile(f, 'utf8')) as { history: HistoryEntry[] }).history));
  const ood = values.ood ? (JSON.parse(await readFile(values.ood, 'utf8')) as OodSummary) : undefined;
  const out = values.out ?? modelPath.replace(/\.model\.json$/, '.md');
  await writeFile(out, potentialCard(doc, histories, ood));
  console.log(`wrote ${out}`);
}
