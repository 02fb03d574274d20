// Worker-thread entry of the parallel model calculator when Equimol runs from TypeScript sources (CLI via tsx, tests,
// benches): tsx's loader hooks do not reach worker threads through execArgv, so the worker registers them itself,
// then loads the TypeScript worker (model-calculator-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./model-calculator-worker.ts');
