// Worker-thread entry of the compute host's embed thread when Equimol runs from TypeScript sources (tests, scripts):
// tsx's loader hooks do not reach worker threads through execArgv, so the thread registers them itself, then loads
// the host's TypeScript entry (workerData.entry, host-entry.ts), which serves embed requests for workerData.role 'embed'.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
