/** GFN2-xTB for the tests that compare against xtb: the calculator, or why those tests skip. */
import type { Calculator } from '../../core/calc/calculator';
import { createXtbCalculator } from '../../main/calc/xtb/xtb-calculator';

export function gfn2OrSkipReason(): { readonly calculator?: Calculator; readonly unavailable: string } {
  try {
    return { calculator: createXtbCalculator({ method: 'gfn2' }), unavailable: '' };
  } catch (error) {
    return { unavailable: `GFN2-xTB is not available: ${(error as Error).message}` };
  }
}
