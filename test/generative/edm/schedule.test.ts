import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoiseSchedule, samplingTimesteps } from '../../../core/generative/edm/schedule';

function close(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual}, expected ${expected}`);
}

// Expected values written from EDM's formulas by hand (not by this code): polynomial_2 with precision s = 1e-5,
// α̃²_t = (1 − (t/T)²)², only the last step ratio is clipped (0 / α̃²_999 -> 0.001), α² = (1 − 2s) α̃² + s.
test('polynomial_2 schedule equals EDM\'s formula with step clipping and precision 1e-5 at t = 0, 1, 500, 999, 1000', () => {
  const schedule = new NoiseSchedule({ kind: 'polynomial', timesteps: 1000, power: 2, precision: 1e-5 });
  const expected: Array<[number, number, number]> = [
    [0, 0.99999, -11.512915464913677], // α² = 1 − s
    [1, 0.9999880000409999, -11.330595324805957],
    [500, 0.56249875, -0.2513093489174389], // (1 − 0.25)² (1 − 2s) + s
    [999, 1.3995921079979893e-5, 11.176730626211073],
    [1000, 1.000399592107998e-5, 11.512515948631934], // α̃²_999 · 0.001 (1 − 2s) + s
  ];
  for (const [t, alpha2, gamma] of expected) {
    close(schedule.alpha2(t), alpha2, 1e-9, `α² at t=${t}`);
    close(schedule.gammaAt(t), gamma, 1e-9, `γ at t=${t}`);
    close(schedule.alpha2(t) + schedule.sigma2(t), 1, 1e-12, `α² + σ² at t=${t}`);
  }
});

// Cosine (Nichol & Dhariwal as EDM writes it): the product of (1 − β_k) telescopes to ᾱ_{t+1}/ᾱ_0 with
// ᾱ_k = cos²((k/(T+1) + 0.008)/1.008 · π/2), except the last β (= 1) which is clipped to 0.999.
test('cosine schedule equals the telescoped cos² formula, with the last β clipped at 0.999', () => {
  const schedule = new NoiseSchedule({ kind: 'cosine', timesteps: 1000 });
  const expected: Array<[number, number]> = [
    [0, 0.999958759441194], [1, 0.9999126729556667], [500, 0.49306515136003887], [999, 2.423916653736859e-6], [1000, 2.423916653736859e-9],
  ];
  for (const [t, alpha2] of expected) close(schedule.alpha2(t), alpha2, 1e-8, `cosine α² at t=${t}`);
  close(schedule.gammaAt(500), 0.027741173493774172, 1e-6, 'cosine γ at t=500');
});

test('transitions compose: α²_{t|s} σ²_s + σ²_{t|s} = σ²_t and α_{t|s} α_s = α_t, for adjacent and strided steps', () => {
  for (const kind of ['polynomial', 'cosine'] as const) {
    const schedule = new NoiseSchedule({ kind, timesteps: 1000, power: 2, precision: 1e-5 });
    for (const [s, t] of [[0, 1], [499, 500], [900, 1000], [0, 1000], [250, 750]] as const) {
      const { alphaTGivenS, sigma2TGivenS } = schedule.transition(s, t);
      close(alphaTGivenS * alphaTGivenS * schedule.sigma2(s) + sigma2TGivenS, schedule.sigma2(t), 1e-9, `${kind} σ² composition ${s}->${t}`);
      close(alphaTGivenS * Math.sqrt(schedule.alpha2(s)), Math.sqrt(schedule.alpha2(t)), 1e-9, `${kind} α composition ${s}->${t}`);
    }
  }
});

test('sampling timesteps stride the schedule from T to 0 with the requested number of steps', () => {
  assert.deepEqual(samplingTimesteps(1000, 4), [1000, 750, 500, 250, 0]);
  assert.deepEqual(samplingTimesteps(10, 10), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  const fifty = samplingTimesteps(1000, 50);
  assert.equal(fifty.length, 51);
  for (let k = 1; k < fifty.length; k++) assert.ok(fifty[k]! < fifty[k - 1]!);
  assert.throws(() => samplingTimesteps(100, 101), /1\.\.100/);
  assert.throws(() => new NoiseSchedule({ kind: 'polynomial', timesteps: 0 }), /positive integer/);
});
