import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edmTimestepGrid, measuredGrid, progressGrid, type StepSchedule } from '../../../core/generative/step-schedules';
import { bfnNoiseLevel } from '../../../core/generative/geobfn/bayesian-flow';
import { NoiseSchedule, samplingTimesteps } from '../../../core/generative/edm/schedule';

const schedules: StepSchedule[] = [
  { kind: 'uniform' }, { kind: 'log-snr', sigmaMax: 10 }, { kind: 'karras', rho: 7, sigmaMax: 10 },
  { kind: 'measured', progress: [0.1, 0.5, 0.9, 0.99], rates: [1, 0, 5, 50] },
];

test('every step schedule gives n + 1 strictly increasing times from 0 to 1 for BFN (σ₁ = 0.001)', () => {
  for (const schedule of schedules) {
    for (const n of [1, 2, 10, 50, 100]) {
      const u = progressGrid(n, schedule, bfnNoiseLevel(0.001));
      assert.equal(u.length, n + 1, `${schedule.kind} n=${n}`);
      assert.equal(u[0], 0);
      assert.equal(u[n], 1);
      for (let i = 1; i <= n; i++) assert.ok(u[i]! > u[i - 1]!, `${schedule.kind} n=${n}: u_${i} = ${u[i]} ≤ u_${i - 1} = ${u[i - 1]}`);
    }
  }
  assert.throws(() => progressGrid(0, { kind: 'uniform' }), /positive integer/);
  assert.throws(() => progressGrid(10, { kind: 'karras' }), /noise level/);
});

test('karras and log-snr schedules hit their noise levels: σ(u_i) follows Karras eq. 5 (ρ = 7) and equal log-SNR steps', () => {
  const sigma = bfnNoiseLevel(0.001);
  const n = 20;
  const karras = progressGrid(n, { kind: 'karras', rho: 7, sigmaMax: 10 }, sigma);
  const lo = sigma(1) ** (1 / 7), hi = 10 ** (1 / 7);
  for (let i = 1; i < n; i++) {
    const expected = (hi + (i / n) * (lo - hi)) ** 7;
    assert.ok(Math.abs(sigma(karras[i]!) / expected - 1) < 1e-9, `karras σ(u_${i}) ${sigma(karras[i]!)} vs ${expected}`);
  }
  const logSnr = progressGrid(n, { kind: 'log-snr', sigmaMax: 10 }, sigma);
  const steps = Array.from({ length: n - 2 }, (_, i) => Math.log(sigma(logSnr[i + 1]!)) - Math.log(sigma(logSnr[i + 2]!)));
  for (const s of steps) assert.ok(Math.abs(s - steps[0]!) < 1e-9, 'equal log σ decrements');
  // Between uniform σ (ρ = 1) and uniform log σ (ρ → ∞): against equal log-SNR steps, ρ = 7 takes longer steps at
  // the low-noise end and shorter ones at the high-noise end.
  assert.ok(karras[n]! - karras[n - 1]! > logSnr[n]! - logSnr[n - 1]!);
  assert.ok(karras[2]! - karras[1]! < logSnr[2]! - logSnr[1]!);
});

test('the measured schedule puts steps where the measured rate is high (equidistribution of ∫ r du)', () => {
  const u = measuredGrid(10, [0.25, 0.75], [0, 10], 0);
  // Density rises linearly from 0 at u = 0.25 to 10 at 0.75, then stays 10: most steps after 0.5.
  const late = Array.from(u).filter((v) => v > 0.5).length;
  assert.ok(late >= 8, `steps after 0.5: ${late}`);
  const flat = measuredGrid(4, [0.2, 0.8], [3, 3]);
  assert.deepEqual(Array.from(flat, (v) => Math.round(v * 1e9) / 1e9), [0, 0.25, 0.5, 0.75, 1]);
  assert.throws(() => measuredGrid(4, [0.5, 0.2], [1, 1]), /point 2/);
  assert.throws(() => measuredGrid(4, [0.2, 0.5], [1, Number.NaN]), /rate 2/);
});

test('EDM timesteps: uniform equals EDM\'s strided grid; every schedule is strictly decreasing integers from T to 0 with n + 1 entries', () => {
  const schedule = new NoiseSchedule({ kind: 'polynomial', timesteps: 1000, power: 2, precision: 1e-5 });
  for (const n of [1, 50, 100, 250, 1000]) assert.deepEqual(edmTimestepGrid(schedule.gamma, n, { kind: 'uniform' }), samplingTimesteps(1000, n));
  for (const s of schedules.slice(1)) {
    for (const n of [3, 50, 1000]) {
      const times = edmTimestepGrid(schedule.gamma, n, s);
      assert.equal(times.length, n + 1);
      assert.equal(times[0], 1000);
      assert.equal(times[n], 0);
      for (let i = 1; i <= n; i++) assert.ok(Number.isInteger(times[i]) && times[i]! < times[i - 1]!, `${s.kind} n=${n} at ${i}: ${times[i - 1]} → ${times[i]}`);
    }
  }
  // Karras spends more of 50 steps at low noise (small t) than the uniform grid does.
  const karras = edmTimestepGrid(schedule.gamma, 50, { kind: 'karras' });
  assert.ok(karras.filter((t) => t < 200).length > samplingTimesteps(1000, 50).filter((t) => t < 200).length);
  assert.throws(() => edmTimestepGrid(schedule.gamma, 1001, { kind: 'uniform' }), /1\.\.1000/);
});
