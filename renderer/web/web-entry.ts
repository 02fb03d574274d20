import { EQUIMOL_GLOBAL, type EquimolApi } from '../../core/contract/equimol-api';
import { mountApp } from '../app/mount';
import { createWorkerApi } from './worker-api';

/**
 * Renderer entry for both shells: Electron's preload exposes the contract as window.equimol; in a plain
 * browser (web mode) the session runs in a module Web Worker behind the same contract. The page's
 * `?backend=webgpu|wasm` picks the worker's compute backend (its name carries it; session-worker.ts).
 */
function resolveApi(): EquimolApi {
  const exposed = (window as unknown as Record<string, EquimolApi | undefined>)[EQUIMOL_GLOBAL];
  if (exposed) return exposed;
  const backend = new URLSearchParams(window.location.search).get('backend');
  const name = backend === 'webgpu' || backend === 'wasm' ? `equimol-session backend=${backend}` : 'equimol-session';
  const worker = new Worker(new URL('./worker/session-worker.ts', import.meta.url), { type: 'module', name });
  return createWorkerApi(worker);
}

mountApp(document.getElementById('root')!, resolveApi());
