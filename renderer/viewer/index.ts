// Public entry of the 3D viewer: `import { createViewer, type ViewerState } from '../viewer'`.
export * from './viewer-api';
export { createViewer, DEFAULT_VIEWER_STATE, MAX_LABELS } from './viewer';
export { measure, measurePoints, formatMeasure } from './measure';
export { perceiveViewBonds, viewBondsOf, type ViewBonds } from './bonds';
