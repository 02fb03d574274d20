import { useEffect, useState } from 'react';
import type { CalculatorInfo, DocumentId, EquimolApi } from '../../../core/contract/equimol-api';

/** A calculator as the chooser shows it: usable for the target, or greyed out with the reason. */
export interface CalculatorChoice {
  readonly info: CalculatorInfo;
  /** Why it cannot run on the target (not available here, or does not cover the structures); null when it can. */
  readonly reason: string | null;
}

export interface CalculatorChoices {
  readonly choices: readonly CalculatorChoice[];
  /** True until both listCalculators and checkCalculators answered. */
  readonly loading: boolean;
  readonly error: string | null;
}

/**
 * The calculators (listCalculators) checked against the target structures (checkCalculators on the document,
 * all of it or the listed indices); re-checked when the target changes.
 */
export function useCalculatorChoices(api: EquimolApi, docId: DocumentId | null, indices: readonly number[] | null): CalculatorChoices {
  const [state, setState] = useState<CalculatorChoices>({ choices: [], loading: true, error: null });
  const indexKey = indices === null ? 'all' : indices.join(',');
  useEffect(() => {
    if (!docId) {
      setState({ choices: [], loading: false, error: null });
      return;
    }
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    const list = indexKey === 'all' ? undefined : indexKey.split(',').map(Number);
    Promise.all([api.listCalculators(), api.checkCalculators(docId, list)]).then(
      ([infos, checks]) => {
        if (!alive) return;
        const reasons = new Map(checks.map((c) => [c.id, c.reason]));
        const choices = infos.map((info) => ({
          info,
          reason: info.available ? (reasons.get(info.id) ?? null) : (info.reason ?? 'not available here'),
        }));
        setState({ choices, loading: false, error: null });
      },
      (error: unknown) => alive && setState({ choices: [], loading: false, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      alive = false;
    };
  }, [api, docId, indexKey]);
  return state;
}
