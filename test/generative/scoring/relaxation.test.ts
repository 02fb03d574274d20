import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relaxationInput, relaxationScore, relaxationScores } from '../../../core/generative/scoring/relaxation';
import { createStructure, type Structure } from '../../../core/structure/structure';
import { seededRandom } from '../../../core/util/seeded-random';
import { findXtbExecutable } from '../../../main/calc/xtb/xtb-executable';
import { qm9Frames } from '../edm/qm9-frames';

const xtb = findXtbExecutable(process.env);
const skip = xtb ? false : 'the xtb executable is not on PATH';

function withAtoms(structure: Structure, extra: Array<[number, number, number, number]>): Structure {
  return createStructure({
    name: structure.name,
    numbers: [...structure.numbers, ...extra.map((a) => a[0])],
    positions: [...structure.positions, ...extra.flatMap((a) => [a[1], a[2], a[3]])],
  });
}

test('the relaxed part of a sample is its largest fragment under EDM bonds, a doublet when its electron count is odd', async () => {
  const [methane] = await qm9Frames(1);
  // Methane plus a stray H atom and an H2 molecule far away: only CH4 is relaxed.
  const stray = withAtoms(methane!, [[1, 8, 0, 0], [1, -8, 0, 0], [1, -8.74, 0, 0]]);
  const input = relaxationInput(stray);
  assert.deepEqual(Array.from(input.numbers), [6, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(input.positions), Array.from(methane!.positions));
  assert.equal(input.multiplicity, 1);
  // A methyl radical (9 electrons) is relaxed as a doublet.
  const methyl = createStructure({ name: 'methyl', numbers: [6, 1, 1, 1], positions: Array.from(methane!.positions).slice(0, 12) });
  assert.equal(relaxationInput(methyl).multiplicity, 2);
});

test('xtb (GFN2): QM9 molecules barely move and release almost no energy; displaced copies move back and release energy; failures name the reason', { skip }, async () => {
  const { createXtbCalculator } = await import('../../../main/calc/xtb/xtb-calculator');
  const calculator = createXtbCalculator({ method: 'gfn2' });
  try {
    const molecules = (await qm9Frames(12)).slice(3);
    const { outcomes, summary } = await relaxationScores(molecules, calculator);
    assert.equal(summary.relaxed, molecules.length);
    assert.equal(summary.converged, molecules.length);
    assert.equal(summary.failed, 0);
    for (const [k, outcome] of outcomes.entries()) {
      assert.ok(outcome.ok, `${molecules[k]!.name}: ${outcome.ok ? '' : outcome.error}`);
      // QM9's DFT minima are near GFN2-xTB's.
      assert.ok(outcome.score.rmsd < 0.1, `${molecules[k]!.name}: RMSD ${outcome.score.rmsd} Å`);
      assert.ok(outcome.score.relaxationEnergy > -1e-6 && outcome.score.relaxationEnergy < 0.15, `${molecules[k]!.name}: released ${outcome.score.relaxationEnergy} eV`);
    }
    const random = seededRandom(7);
    const displaced = molecules.map((m) => createStructure({ name: m.name, numbers: m.numbers, positions: Array.from(m.positions, (x) => x + 0.3 * (random() - 0.5)) }));
    const moved = await relaxationScores(displaced, calculator);
    assert.equal(moved.summary.relaxed, displaced.length);
    assert.ok(moved.summary.medianRmsd > 0.04, `displaced: median RMSD ${moved.summary.medianRmsd} Å`);
    assert.ok(moved.summary.medianRelaxationEnergy > 0.3, `displaced: median energy released ${moved.summary.medianRelaxationEnergy} eV`);
    assert.ok(moved.summary.medianRelaxationEnergy > 5 * summary.medianRelaxationEnergy);
    // Two atoms on top of each other: the relaxation sampler's close-contact check stops it, and the score says so.
    const clash = createStructure({ name: 'clash', numbers: [6, 6, 1], positions: [0, 0, 0, 0.1, 0, 0, 1.1, 0, 0] });
    const failed = await relaxationScore(clash, calculator);
    assert.equal(failed.ok, false);
    assert.match(failed.ok ? '' : failed.error, /apart|close/);
  } finally {
    calculator.dispose?.();
  }
});
