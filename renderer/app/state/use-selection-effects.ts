import { useEffect, useRef } from 'react';
import type { DocumentId, DocumentInfo, EquimolApi, StructureSummary } from '../../../core/contract/equimol-api';
import { isTrajectory } from '../hooks/use-trajectory-frames';
import { selectionReset } from './actions';
import type { AppStore } from './app-state';
import type { AppServices } from './app-services';

export interface SelectionInputs {
  readonly activeDocId: DocumentId | null;
  readonly activeDoc: DocumentInfo | undefined;
  readonly selectedIndex: number | null;
  /** The selected row's summary in the structure list. */
  readonly summary: StructureSummary | undefined;
}

/**
 * What follows the selection: the selected record (from the list's row), its structure and 2D depiction, a
 * refetch when a predict job adds columns, and the trajectory frame of a chosen row.
 */
export function useSelectionEffects(api: EquimolApi, store: AppStore, services: AppServices, inputs: SelectionInputs): void {
  const { setState } = store;
  const { activeDocId, activeDoc, selectedIndex, summary } = inputs;

  useEffect(() => {
    setState({ selected: summary && activeDocId !== null ? { docId: activeDocId, index: summary.index } : null });
  }, [setState, summary, activeDocId]);

  useEffect(() => {
    let alive = true;
    setState(selectionReset());
    if (!activeDocId || selectedIndex === null) {
      setState({ structure: null, depiction: null });
      return;
    }
    api.getStructure(activeDocId, selectedIndex).then(
      (structure) => {
        if (!alive) return;
        setState({ structure, depiction: null });
        if (!structure.cell) {
          api.getDepiction(activeDocId, selectedIndex, { width: 300, height: 220 }).then(
            (depiction) => alive && setState({ depiction }),
            (error: unknown) => alive && setState({ depiction: { svg: null, message: error instanceof Error ? error.message : String(error) } }),
          );
        }
      },
      (error: unknown) => alive && services.notify('error', 'Could not load the structure', String(error)),
    );
    return () => {
      alive = false;
    };
  }, [api, setState, services, activeDocId, selectedIndex]);

  // A predict job that adds columns (and per-atom arrays such as charges) to the open document: fetch the structure on
  // screen again so the viewer and the colour-by menu see the new arrays, keeping the selection and measurements.
  const predictedColumns = activeDoc?.columns.filter((c) => c.source !== undefined && c.source !== 'file').map((c) => c.key).join('|') ?? '';
  const fetchedColumns = useRef(predictedColumns);
  useEffect(() => {
    if (fetchedColumns.current === predictedColumns) return;
    fetchedColumns.current = predictedColumns;
    if (!activeDocId || selectedIndex === null) return;
    let alive = true;
    api.getStructure(activeDocId, selectedIndex).then(
      (structure) => alive && setState({ structure }),
      (error: unknown) => alive && services.notify('error', 'Could not load the structure', String(error)),
    );
    return () => {
      alive = false;
    };
  }, [api, setState, services, activeDocId, selectedIndex, predictedColumns]);

  // Choosing a row of a trajectory shows that frame. Only a change of row within the document counts: the first row
  // selected when a trajectory is shown must not pull the frame away from the last one (the result, and where a
  // running job is followed).
  const activeIsTrajectory = isTrajectory(activeDoc);
  const lastSelection = useRef<{ docId: DocumentId | null; index: number | null }>({ docId: null, index: null });
  useEffect(() => {
    if (selectedIndex === null) return;
    const previous = lastSelection.current;
    lastSelection.current = { docId: activeDocId, index: selectedIndex };
    if (activeIsTrajectory && previous.docId === activeDocId && previous.index !== selectedIndex) setState({ frame: selectedIndex });
  }, [setState, activeIsTrajectory, activeDocId, selectedIndex]);
}
