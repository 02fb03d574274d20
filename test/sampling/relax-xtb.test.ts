/**
 * relax() on GFN2-xTB (main/calc/xtb, libxtb addon or the xtb executable) against `xtb --opt` (xtb 6.5.1) from the
 * same start: 20 drug-like molecules of at most 30 atoms (fixture from test/fixtures/sampling/make-relax-xtb-fixture.py,
 * references at xtb's default level 'normal' and at 'vtight'). Heavy-atom RMSD after Kabsch superposition
 * (core/sampling/relax/rmsd.ts).
 *
 * With its defaults a molecule is relaxed by ANCopt (core/sampling/relax/anc-optimizer.ts), xtb's own optimizer,
 * converged as plain `xtb --opt`: every molecule ends within 0.05 Å of `xtb --opt` (measured: ≤ 0.003 Å, ≤ 0.2 meV),
 * in xtb's number of steps. `xtb --opt` itself is not converged to vtight everywhere: pyrazinamide stops 0.86 Å and
 * 258 meV above on the amide's rotational shoulder, chlorpropamide and diclofenac 0.17 and 0.09 Å away; ANCopt at
 * normal does the same, at vtight it reaches xtb's vtight minimum (on request, below).
 *
 * L-BFGS at ASE's fmax 0.05 eV/Å stops earlier on soft torsions; continued to fmax 0.005 eV/Å (on request:
 * EQUIMOL_RELAX_XTB_TIGHT=1, a few minutes) every molecule ends within 0.05 Å of xtb's vtight minimum or in a
 * different minimum of lower energy (chlorpropamide's alkyl chain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Calculator } from '../../core/calc/calculator';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { relax } from '../../core/sampling/relax/relax';
import { alignedRmsd, heavyAtoms } from '../../core/sampling/relax/rmsd';
import { createStructure } from '../../core/structure/structure';
import { gfn2OrSkipReason } from '../helpers/xtb';

interface XtbFixture {
  molecules: Array<{
    name: string;
    numbers: number[];
    positions: number[];
    /** `xtb --opt vtight`. */
    xtbOptimized: number[];
    xtbEnergy: number;
    xtbCycles: number;
    /** Plain `xtb --opt` (level normal); xtb's cycles count the start as cycle 1. */
    xtbNormal: { positions: number[]; energy: number; cycles: number };
  }>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sampling/relax-xtb.json', import.meta.url), 'utf8')) as XtbFixture;

async function lastFrame(run: AsyncGenerator<SamplerFrame, SamplerReport>): Promise<{ frame: SamplerFrame; report: SamplerReport }> {
  let frame: SamplerFrame | undefined;
  for (;;) {
    const next = await run.next();
    if (next.done) {
      assert.ok(frame, next.value.summary);
      return { frame, report: next.value };
    }
    frame = next.value;
  }
}

function quantiles(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `min ${sorted[0]!.toFixed(4)}, median ${at(0.5).toFixed(4)}, 90% ${at(0.9).toFixed(4)}, max ${sorted.at(-1)!.toFixed(4)} Å`;
}

const { calculator, unavailable } = gfn2OrSkipReason();
const skip = calculator ? false : unavailable;
/** The continuation to fmax 0.005 takes ~1600 more xtb calls (a few minutes): on request only. */
const tightRequested = process.env.EQUIMOL_RELAX_XTB_TIGHT === '1';

/** Where each molecule's fmax-0.05 relaxation ended, for the continuation. */
const looseEnds = new Map<string, SamplerFrame>();

async function looseRelaxation(xtb: Calculator, molecule: XtbFixture['molecules'][number]): Promise<{ frame: SamplerFrame; report: SamplerReport }> {
  const start = createStructure({ name: molecule.name, numbers: molecule.numbers, positions: molecule.positions });
  const result = await lastFrame(relax(start, xtb, { optimizer: 'lbfgs', fmax: 0.05, maxSteps: 1000 }));
  assert.equal(result.report.status, 'converged', `${molecule.name}: ${result.report.summary}`);
  looseEnds.set(molecule.name, result.frame);
  return result;
}

test('with its defaults (ANCopt, xtb level normal) every one of 20 drug-like molecules ends within 0.05 Å heavy-atom RMSD of `xtb --opt`, within 1 meV of its energy, in xtb\'s number of steps', { skip }, async (t) => {
  const xtb = calculator!;
  const rmsds: number[] = [];
  const lines: string[] = [];
  try {
    for (const molecule of fixture.molecules) {
      const start = createStructure({ name: molecule.name, numbers: molecule.numbers, positions: molecule.positions });
      const began = performance.now();
      const { frame, report } = await lastFrame(relax(start, xtb));
      const ms = performance.now() - began;
      assert.equal(report.status, 'converged', `${molecule.name}: ${report.summary}`);
      assert.match(report.summary, /\(anc normal\)/);
      const rmsd = alignedRmsd(frame.positions, molecule.xtbNormal.positions, heavyAtoms(molecule.numbers));
      const vtight = alignedRmsd(frame.positions, molecule.xtbOptimized, heavyAtoms(molecule.numbers));
      const deltaE = frame.energy - molecule.xtbNormal.energy;
      rmsds.push(rmsd);
      lines.push(`${molecule.name}: ${report.steps} steps (xtb --opt ${molecule.xtbNormal.cycles - 1}), ${ms.toFixed(0)} ms, heavy-atom RMSD ${rmsd.toFixed(4)} Å and E − E ${(deltaE * 1000).toFixed(3)} meV from xtb --opt; ${vtight.toFixed(4)} Å from --opt vtight`);
      assert.ok(rmsd < 0.05, `${molecule.name}: heavy-atom RMSD ${rmsd.toFixed(4)} Å from xtb --opt`);
      assert.ok(Math.abs(deltaE) < 1e-3, `${molecule.name}: E − E(xtb --opt) = ${(deltaE * 1000).toFixed(3)} meV`);
      // xtb's cycles count the start; one step per later cycle (no re-evaluation after new ANC here).
      assert.ok(Math.abs(report.steps - (molecule.xtbNormal.cycles - 1)) <= 3, `${molecule.name}: ${report.steps} steps, xtb ${molecule.xtbNormal.cycles - 1}`);
    }
  } finally {
    for (const line of lines) t.diagnostic(line);
  }
  t.diagnostic(`heavy-atom RMSD vs xtb --opt (normal): ${quantiles(rmsds)}`);
});

test('ANCopt at level vtight ends within 0.05 Å of xtb --opt vtight or in a lower minimum', { skip: skip || (tightRequested ? false : 'slow (~1000 xtb calls): set EQUIMOL_RELAX_XTB_TIGHT=1') }, async (t) => {
  const xtb = calculator!;
  const lines: string[] = [];
  try {
    for (const molecule of fixture.molecules) {
      const start = createStructure({ name: molecule.name, numbers: molecule.numbers, positions: molecule.positions });
      const { frame, report } = await lastFrame(relax(start, xtb, { level: 'vtight' }));
      assert.equal(report.status, 'converged', `${molecule.name}: ${report.summary}`);
      const rmsd = alignedRmsd(frame.positions, molecule.xtbOptimized, heavyAtoms(molecule.numbers));
      const deltaE = frame.energy - molecule.xtbEnergy;
      lines.push(`${molecule.name}: ${report.steps} steps (xtb --opt vtight ${molecule.xtbCycles - 1}), heavy-atom RMSD ${rmsd.toFixed(4)} Å, E − E(xtb) ${(deltaE * 1000).toFixed(3)} meV`);
      assert.ok(rmsd < 0.05 || deltaE < -1e-3, `${molecule.name}: heavy-atom RMSD ${rmsd.toFixed(4)} Å from xtb --opt vtight, energy ${(deltaE * 1000).toFixed(2)} meV above it`);
    }
  } finally {
    for (const line of lines) t.diagnostic(line);
  }
});

test('L-BFGS at fmax 0.05 on GFN2-xTB ends within 0.05 Å heavy-atom RMSD of xtb --opt vtight for most of 20 drug-like molecules, never below its energy', { skip }, async (t) => {
  const xtb = calculator!;
  const rmsds: number[] = [];
  const lines: string[] = [];
  try {
    for (const molecule of fixture.molecules) {
      const { frame, report } = await looseRelaxation(xtb, molecule);
      const rmsd = alignedRmsd(frame.positions, molecule.xtbOptimized, heavyAtoms(molecule.numbers));
      const deltaE = frame.energy - molecule.xtbEnergy;
      rmsds.push(rmsd);
      lines.push(`${molecule.name}: ${report.steps} steps, heavy-atom RMSD ${rmsd.toFixed(4)} Å, E − E(xtb --opt) ${(deltaE * 1000).toFixed(2)} meV`);
      // Looser convergence than the reference from the same start: above its energy, within a torsional shoulder of it.
      assert.ok(deltaE > -2e-3 && deltaE < 0.3, `${molecule.name}: E − E(xtb --opt) = ${(deltaE * 1000).toFixed(2)} meV`);
    }
  } finally {
    for (const line of lines) t.diagnostic(line);
  }
  t.diagnostic(`heavy-atom RMSD vs xtb --opt vtight at fmax 0.05: ${quantiles(rmsds)}`);
  const within = rmsds.filter((r) => r < 0.05).length;
  assert.ok(within >= 12, `only ${within} of ${rmsds.length} molecules within 0.05 Å at fmax 0.05`);
  const sorted = [...rmsds].sort((a, b) => a - b);
  assert.ok(sorted[Math.floor(sorted.length / 2)]! < 0.05, 'median heavy-atom RMSD above 0.05 Å');
});

test('continued to fmax 0.005, every molecule ends within 0.05 Å of xtb --opt vtight or in a lower minimum', { skip: skip || (tightRequested ? false : 'slow (~1600 xtb calls): set EQUIMOL_RELAX_XTB_TIGHT=1') }, async (t) => {
  const xtb = calculator!;
  const rmsds: number[] = [];
  const lines: string[] = [];
  try {
    for (const molecule of fixture.molecules) {
      const looseEnd = looseEnds.get(molecule.name) ?? (await looseRelaxation(xtb, molecule)).frame;
      const continued = createStructure({ name: molecule.name, numbers: molecule.numbers, positions: looseEnd.positions });
      const { frame, report } = await lastFrame(relax(continued, xtb, { optimizer: 'lbfgs', fmax: 0.005, maxSteps: 2000 }));
      assert.equal(report.status, 'converged', `${molecule.name}: ${report.summary}`);
      const rmsd = alignedRmsd(frame.positions, molecule.xtbOptimized, heavyAtoms(molecule.numbers));
      const deltaE = frame.energy - molecule.xtbEnergy;
      rmsds.push(rmsd);
      lines.push(`${molecule.name}: +${report.steps} steps, heavy-atom RMSD ${rmsd.toFixed(4)} Å, E − E(xtb --opt) ${(deltaE * 1000).toFixed(2)} meV`);
      assert.ok(frame.energy <= looseEnd.energy + 1e-6, `${molecule.name}: tighter convergence raised the energy`);
      assert.ok(rmsd < 0.05 || deltaE < -1e-3, `${molecule.name}: heavy-atom RMSD ${rmsd.toFixed(4)} Å from xtb --opt, energy ${(deltaE * 1000).toFixed(2)} meV above it`);
    }
  } finally {
    for (const line of lines) t.diagnostic(line);
  }
  t.diagnostic(`heavy-atom RMSD vs xtb --opt vtight at fmax 0.005: ${quantiles(rmsds)}`);
});

test.after(() => calculator?.dispose?.());
