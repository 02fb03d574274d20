import { useEffect, useRef, useState } from 'react';
import type { DocumentInfo, EquimolApi } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';

/** Frames of a trajectory document loaded for playback at most. */
export const MAX_TRAJECTORY_FRAMES = 5000;

/** True for a document a sampler job made frame by frame (relax steps, MD). */
export function isTrajectory(doc: DocumentInfo | undefined): boolean {
  return doc?.origin?.kind === 'trajectory';
}

/**
 * Every frame of a trajectory document (empty for other documents), loaded with getStructure and appended as a
 * live document grows. `onFrame` is told which frame to show: the last one while the shown frame is the last
 * (so a running job is followed), else the shown frame stays.
 */
export function useTrajectoryFrames(api: EquimolApi, doc: DocumentInfo | undefined, onFrame: (update: (frame: number) => number) => void): readonly Structure[] {
  const [frames, setFrames] = useState<readonly Structure[]>([]);
  const loaded = useRef<{ docId: string; frames: Structure[] } | null>(null);
  const followRef = useRef(onFrame);
  followRef.current = onFrame;
  const docId = isTrajectory(doc) ? doc!.id : null;
  const count = docId ? Math.min(doc!.recordCount, MAX_TRAJECTORY_FRAMES) : 0;

  useEffect(() => {
    if (!docId) {
      loaded.current = null;
      setFrames([]);
      return;
    }
    if (loaded.current?.docId !== docId) {
      loaded.current = { docId, frames: [] };
      setFrames([]);
    }
    const state = loaded.current;
    const from = state.frames.length;
    if (count <= from) return;
    let alive = true;
    Promise.all(Array.from({ length: count - from }, (_, k) => api.getStructure(docId, from + k))).then(
      (more) => {
        if (!alive || loaded.current !== state || state.frames.length !== from) return;
        const previousLast = from - 1;
        state.frames = [...state.frames, ...more];
        setFrames(state.frames);
        const last = state.frames.length - 1;
        followRef.current((frame) => (frame >= previousLast || frame > last ? last : frame));
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api, docId, count]);
  return frames;
}
