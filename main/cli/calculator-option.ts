/** `--calculator NAME` of `equimol relax` and `equimol md`: the catalogue's calculator, or a usage error (exit 2). */
import type { Calculator } from '../../core/calc/calculator';
import type { BackendPreference } from '../../core/engine/backend/backend';
import { createCalculator } from '../calc/calculator-catalogue';
import { UsageError } from './command';

const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * Starts the calculator `name` stands for. An unknown name, an unknown or unreadable model and a bad --backend
 * are usage errors naming what was asked for.
 */
export async function calculatorOption(name: string, backend: string | undefined): Promise<Calculator> {
  if (backend !== undefined && !BACKENDS.includes(backend)) throw new UsageError(`unknown backend '${backend}' (available: ${BACKENDS.join(', ')})`);
  try {
    return await createCalculator(name, { ...(backend !== undefined ? { backend: backend as BackendPreference } : {}) });
  } catch (error) {
    throw new UsageError(`cannot use calculator ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
