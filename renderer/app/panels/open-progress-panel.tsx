/**
 * Loading states over the viewer while files are opened (components/open-progress.tsx), and early listing: a file
 * whose open is done is listed at once (shown when nothing else is), before the files opened with it finish.
 * Files handed over (dropped or picked) are listed as pending at once (AppServices.openFileList).
 */
import { useCallback } from 'react';
import type { DocumentInfo } from '../../../core/contract/equimol-api';
import { OpenProgressList } from '../components/open-progress';
import { useOpenProgress } from '../hooks/use-open-progress';
import { registerPanel, type PanelProps } from './panel-registry';

function OpenProgressPanel({ ctx }: PanelProps) {
  const { addDocuments, showDocument, notify, store } = ctx;
  const onDocument = useCallback(
    (document: DocumentInfo) => {
      const noneShown = store.getState().activeDocId === null;
      addDocuments([document]);
      if (noneShown) showDocument(document.id);
    },
    [addDocuments, showDocument, store],
  );
  const onCancelError = useCallback((file: string, message: string) => notify('error', `Could not cancel opening ${file}`, message), [notify]);
  const { opens, cancel } = useOpenProgress(ctx.api, onDocument, onCancelError);
  return <OpenProgressList opens={opens} onCancel={cancel} />;
}

registerPanel({ id: 'equimol.open-progress', title: 'Files being opened', location: 'overlay', order: 90, component: OpenProgressPanel });
