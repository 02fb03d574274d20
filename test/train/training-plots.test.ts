// The learning-curve and parity SVGs (core/engine/train/training-plots.ts) are well-formed XML with one mark per
// point, escape their text, and survive empty or non-finite data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningCurveSvg, parityPlotSvg } from '../../core/engine/train/training-plots';
import type { TrainHistoryEntry } from '../../core/engine/train/train-state';

/** Checks XML well-formedness: one root, balanced and properly nested tags, quoted attributes, known entities. */
function assertWellFormedXml(text: string): void {
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  for (let i = 0; i < body.length;) {
    if (body[i] === '<') {
      tag.lastIndex = i;
      const m = tag.exec(body);
      assert.ok(m, `malformed tag at ${i}: ${body.slice(i, i + 60)}`);
      const [whole, closing, name, , selfClosing] = m;
      if (closing) assert.equal(stack.pop(), name, `closing </${name}> at ${i}`);
      else {
        if (stack.length === 0) roots++;
        if (!selfClosing) stack.push(name!);
      }
      i += whole.length;
    } else {
      const next = body.indexOf('<', i);
      const textPart = body.slice(i, next < 0 ? undefined : next);
      for (const entity of textPart.match(/&[^;\s]*;?/g) ?? []) assert.match(entity, /^&(amp|lt|gt|quot|apos);$/, `entity ${entity}`);
      if (stack.length === 0) assert.equal(textPart.trim(), '', 'text outside the root');
      i = next < 0 ? body.length : next;
    }
  }
  assert.deepEqual(stack, [], 'unclosed tags');
  assert.equal(roots, 1, 'one root element');
}

const validation = (e: number, f: number) => ({ structures: 5, withEnergy: 5, withForces: 5, energyMAE_meV: 9 * e, energyRMSE_meV: 10 * e, energyMAE_meV_per_atom: e, forceMAE_meV_per_A: f, forceRMSE_meV_per_A: 1.2 * f });

test('the learning curve is a well-formed SVG with one polyline point per epoch per series', () => {
  const history: TrainHistoryEntry[] = Array.from({ length: 12 }, (_, k) => ({ epoch: k, loss: 2 / (k + 1), learningRate: 1e-3, validation: validation(50 / (k + 1), 400 / (k + 1)), seconds: 3 * k }));
  const svg = learningCurveSvg(history, 'MACE <test> & co');
  assertWellFormedXml(svg);
  assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.trim().split(' '));
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => l.length === 12));
  assert.match(svg, /MACE &lt;test&gt; &amp; co/);
});

test('the parity plot draws one circle per pair and reports the MAE', () => {
  const pairs = Array.from({ length: 50 }, (_, i) => [i / 10, i / 10 + (i % 2 ? 0.1 : -0.1)] as const);
  const svg = parityPlotSvg([{ label: 'force components', unit: 'eV/Å', pairs }, { label: 'energy', unit: 'eV/atom', pairs: pairs.slice(0, 10) }]);
  assertWellFormedXml(svg);
  assert.equal((svg.match(/<circle /g) ?? []).length, 60);
  assert.match(svg, /force components, MAE 0\.1 eV\/Å/);
  assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 2, 'a y = x line per panel');
});

test('plots of empty or non-finite data are still well-formed', () => {
  assertWellFormedXml(learningCurveSvg([]));
  assertWellFormedXml(learningCurveSvg([{ epoch: 0, loss: NaN, learningRate: 0, validation: validation(NaN, NaN) }]));
  assertWellFormedXml(parityPlotSvg([{ label: 'x', unit: 'eV', pairs: [[NaN, 1], [Infinity, 2]] }]));
  assert.doesNotMatch(parityPlotSvg([{ label: 'x', unit: 'eV', pairs: [[1, 1]] }]), /NaN|Infinity/);
});
