/**
 * The one place where a relaxation calls its checks (core/sampling/watchdogs.ts): the coverage check before
 * step 0 and the watchdog ('non-finite', 'close-contact', 'hydrogen-detached') on every evaluated frame.
 */
import type { Calculator } from '../../calc/calculator';
import type { Structure } from '../../structure/structure';
import type { SamplerFrame, SamplerProblem } from '../frames';
import type { RelaxOptions } from '../options';
import { coverageProblem, createWatchdog } from '../watchdogs';

export interface RelaxChecks {
  /** A problem that keeps the run from starting (an element the calculator does not cover), or undefined. */
  coverage(step: number): SamplerProblem | undefined;
  /** A problem with an evaluated frame, or undefined. Frames come in step order. */
  frame(frame: SamplerFrame, step: number): SamplerProblem | undefined;
}

export function createRelaxChecks(structure: Structure, calculator: Calculator, options: Pick<RelaxOptions, 'watchdogs'>): RelaxChecks {
  const watchdog = createWatchdog(structure, { ...options.watchdogs, mode: 'relax' });
  return {
    coverage: (step) => coverageProblem(structure, calculator, step),
    frame: (frame, step) => watchdog.check(frame, step),
  };
}
