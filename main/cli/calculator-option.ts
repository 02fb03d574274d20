/** `--calculator NAME` of `equimol relax` and `equimol md`: the catalogue's calculator, or a usage error (exit 2). */
import type { Calculator } from '../../core/calc/calculator';
import { createCalculator } from '../calc/calculator-catalogue';
import { backendOption } from './args';
import { UsageError } from './command';

/**
 * Starts the calculator `name` stands for. An unknown name, an unknown or unreadable model and a bad --backend
 * are usage errors naming what was asked for.
 */
export async function calculatorOption(name: string, backend: string | undefined): Promise<Calculator> {
  const preference = backendOption(backend);
  try {
    return await createCalculator(name, { ...(preference !== undefined ? { backend: preference } : {}) });
  } catch (error) {
    throw new UsageError(`cannot use calculator ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
