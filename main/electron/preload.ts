/**
 * Preload of the main window (sandboxed, context-isolated): exposes exactly the EquimolApi as
 * `window.equimol` and nothing else. Bundled by scripts/build-main.mjs into dist/main/preload.cjs.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeEquimolApi } from './preload-api';

exposeEquimolApi(contextBridge, ipcRenderer);
