import { useEffect, useState } from 'react';
import type { DocumentInfo, EquimolApi } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import { alignConformers, isConformerEnsemble } from '../conformer-ensemble';

/** An ensemble overlays at most this many conformers (the lowest ones). */
export const MAX_OVERLAY_CONFORMERS = 100;

/**
 * The conformers of an ensemble document (origin.kind 'conformers'), loaded once it is complete and superposed
 * on the lowest one (structure 0) by their heavy atoms; null for any other document or while loading.
 */
export function useConformerEnsemble(api: EquimolApi, doc: DocumentInfo | undefined): readonly Structure[] | null {
  const [aligned, setAligned] = useState<readonly Structure[] | null>(null);
  const ensemble = isConformerEnsemble(doc) && !doc!.origin!.live;
  const docId = ensemble ? doc!.id : null;
  const count = ensemble ? Math.min(doc!.recordCount, MAX_OVERLAY_CONFORMERS) : 0;
  useEffect(() => {
    setAligned(null);
    if (!docId || count === 0) return;
    let alive = true;
    Promise.all(Array.from({ length: count }, (_, i) => api.getStructure(docId, i))).then(
      (structures) => alive && setAligned(alignConformers(structures, 0)),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api, docId, count]);
  return aligned;
}
