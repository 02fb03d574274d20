import { useEffect, useMemo, useState } from 'react';
import type { DocumentInfo, EquimolApi } from '../../../core/contract/equimol-api';
import { fixedAtomsOf } from '../../viewer/force-arrows';

const NONE: readonly number[] = [];

/**
 * Atoms a trajectory's job held in place, for the viewer's fixed-atom markers: the source structure's selective
 * dynamics (move_mask, which the frames do not carry) plus the job's own fixedAtoms. Empty for other documents.
 */
export function useFixedAtoms(api: EquimolApi, doc: DocumentInfo | undefined, requested: readonly number[]): readonly number[] {
  const [fromSource, setFromSource] = useState<readonly number[]>(NONE);
  const origin = doc?.origin?.kind === 'trajectory' ? doc.origin : undefined;
  const sourceDocId = origin?.sourceDocId;
  const sourceIndex = origin?.sourceIndex;
  useEffect(() => {
    setFromSource(NONE);
    if (sourceDocId === undefined || sourceIndex === undefined) return;
    let alive = true;
    api.getStructure(sourceDocId, sourceIndex).then(
      (source) => alive && setFromSource(fixedAtomsOf(source)),
      () => undefined, // the source document may have been closed: its markers are simply not drawn
    );
    return () => {
      alive = false;
    };
  }, [api, sourceDocId, sourceIndex]);
  const key = `${fromSource.join()}|${requested.join()}`;
  const merged = useMemo(() => {
    const [source, extra] = key.split('|').map((part) => (part === '' ? [] : part.split(',').map(Number)));
    const atoms = [...new Set([...source!, ...extra!])].sort((a, b) => a - b);
    return atoms.length === 0 ? NONE : atoms;
  }, [key]);
  return origin ? merged : NONE;
}
