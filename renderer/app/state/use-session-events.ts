import { useEffect } from 'react';
import type { EquimolApi, JobId, JobProgress, Settings } from '../../../core/contract/equimol-api';
import { plural } from '../util/format';
import * as actions from './actions';
import type { AppStore } from './app-state';
import { fromSettingsStyle, type AppServices } from './app-services';

export function resolvedTheme(theme: Settings['theme']): 'light' | 'dark' {
  if (theme === 'light' || theme === 'dark') return theme;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * The app's link to the compute side: settings, predictors, app info and open documents at startup, then the
 * events it pushes. Job progress (one event per batch, hundreds a second on fast predictors) is coalesced to at
 * most one store update per animation frame.
 */
export function useSessionEvents(api: EquimolApi, store: AppStore, services: AppServices): void {
  const { setState } = store;
  useEffect(() => {
    let alive = true;
    api.getSettings().then(
      (settings) => {
        if (!alive) return;
        setState({ theme: resolvedTheme(settings.theme), style: fromSettingsStyle(settings.viewerStyle), showCell: settings.showCell, labels: settings.showLabels ? 'element' : 'none' });
      },
      () => undefined,
    );
    api.listPredictors().then(
      (predictors) => {
        if (!alive) return;
        setState((s) => ({ predictors, predictorId: s.predictorId || (predictors.find((p) => p.id === 'descriptors' || p.id.startsWith('rdkit'))?.id ?? predictors[0]?.id ?? '') }));
      },
      (error: unknown) => services.notify('error', 'Could not list predictors', String(error)),
    );
    api.getAppInfo().then(
      (info) => {
        if (alive) setState({ platform: info.platform, formatExtensions: info.formats.flatMap((f) => f.extensions) });
      },
      () => undefined,
    );
    api.listDocuments().then(
      (docs) => {
        if (alive && docs.length > 0) setState((s) => ({ documents: docs, activeDocId: s.activeDocId ?? docs[0]!.id }));
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api, setState, services]);

  useEffect(() => {
    const pendingProgress = new Map<JobId, JobProgress>();
    let frame = 0;
    const flushProgress = () => {
      frame = 0;
      const updates = [...pendingProgress.values()];
      pendingProgress.clear();
      setState((s) => ({ jobs: actions.mergeJobs(s.jobs, updates) }));
    };
    const unsubscribe = api.subscribe((event) => {
      switch (event.type) {
        case 'job-progress': {
          const { progress } = event;
          pendingProgress.set(progress.id, progress);
          if (frame === 0) frame = requestAnimationFrame(flushProgress);
          if (progress.state === 'failed') services.notify('error', `Job failed: ${progress.label}`, progress.message);
          if (progress.state === 'done') services.notify('success', `Job finished: ${progress.label}`, `${plural(progress.done, progress.unit === 'steps' ? 'step' : 'structure')} in ${progress.elapsedSeconds.toFixed(1)} s`);
          break;
        }
        case 'document-changed':
          setState((s) => actions.documentChanged(s, event.document));
          break;
        case 'files-opened':
          services.openResult(event.result);
          break;
        case 'settings-changed':
          setState({ theme: resolvedTheme(event.settings.theme) });
          break;
        case 'menu':
          // Menu commands are run by the command dispatcher (use-command-keys).
          window.dispatchEvent(new CustomEvent('equimol-menu', { detail: event.command }));
          break;
      }
    });
    return () => {
      unsubscribe();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [api, setState, services]);
}
