import { useEffect, useState } from 'react';
import type { ColumnValues, DocumentId, EquimolApi } from '../../../core/contract/equimol-api';

/** At most one refetch per this many ms while a live document keeps changing. */
export const COLUMN_REFRESH_MS = 300;

/**
 * Numeric columns of a whole document for plots (getColumnValues), refetched when the document changes
 * ('document-changed' events of that document, throttled to one fetch per COLUMN_REFRESH_MS).
 */
export function useColumnValues(api: EquimolApi, docId: DocumentId | null, keys: readonly string[]): ColumnValues | null {
  const [values, setValues] = useState<ColumnValues | null>(null);
  const keyList = keys.join('\u0000');
  useEffect(() => {
    setValues(null);
    if (!docId) return;
    let alive = true;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const wanted = keyList.split('\u0000');
    const fetchNow = () => {
      timer = null;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      last = Date.now();
      api.getColumnValues(docId, wanted).then(
        (result) => alive && setValues(result),
        () => undefined,
      ).finally(() => {
        inFlight = false;
        if (alive && again) {
          again = false;
          schedule();
        }
      });
    };
    const schedule = () => {
      if (timer !== null) return;
      timer = setTimeout(fetchNow, Math.max(0, COLUMN_REFRESH_MS - (Date.now() - last)));
    };
    fetchNow();
    const unsubscribe = api.subscribe((event) => {
      if (event.type === 'document-changed' && event.document.id === docId) schedule();
    });
    return () => {
      alive = false;
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [api, docId, keyList]);
  return values;
}
