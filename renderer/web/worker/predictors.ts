import type { Predictor } from '../../../core/predict/predictor';

/** Predictors offered in web mode; read on every listPredictors call so late registrations show. */
export function webPredictors(): readonly Predictor[] {
  return [];
}
