// Worker-thread entry of the gradient helper pool when Equimol runs from TypeScript sources (scripts, tests):
// tsx's loader hooks do not reach worker threads through execArgv, so the worker registers them itself, then loads
// the TypeScript worker (gradient-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./gradient-worker.ts');
