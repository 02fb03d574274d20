import { EQUIMOL_GLOBAL, type EquimolApi } from '../../core/contract/equimol-api';
import { mountApp } from '../app/mount';
import { createWorkerApi } from './worker-api';

/**
 * Renderer entry for both shells: Electron's preload exposes the contract as window.equimol; in a plain
 * browser (web mode) the session runs in a module Web Worker behind the same contract.
 */
function resolveApi(): EquimolApi {
  const exposed = (window as unknown as Record<string, EquimolApi | undefined>)[EQUIMOL_GLOBAL];
  if (exposed) return exposed;
  const worker = new Worker(new URL('./worker/session-worker.ts', import.meta.url), { type: 'module', name: 'equimol-session' });
  return createWorkerApi(worker);
}

mountApp(document.getElementById('root')!, resolveApi());
