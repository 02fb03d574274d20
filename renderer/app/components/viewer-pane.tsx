import { useEffect, useRef, memo } from 'react';
import type { Structure } from '../../../core/structure';
import { createViewer } from '../../viewer/viewer';
import type { ColorScheme, DipoleArrowOptions, ForceArrowOptions, InteractionMode, LabelMode, Measurement, MeasureEvent, PickEvent, StructureViewer, Vec3, ViewerStyle, ViewerTheme } from '../../viewer/viewer-api';

const NO_ATOMS: readonly number[] = [];
const NO_STRUCTURES: readonly Structure[] = [];
const ELEMENT_SCHEME: ColorScheme = { kind: 'element' };

export interface ViewerPaneProps {
  readonly structure: Structure | null;
  readonly frames: readonly Structure[];
  readonly frame: number;
  readonly playing: boolean;
  readonly style: ViewerStyle;
  readonly showCell: boolean;
  /** Coordination polyhedra in crystals (default on). */
  readonly polyhedra?: boolean;
  readonly supercell: Vec3;
  readonly labels: LabelMode;
  readonly interaction: InteractionMode;
  readonly measurements: readonly Measurement[];
  readonly selection: readonly number[];
  readonly theme: ViewerTheme;
  /** Force arrows on frames with forces; null draws none. */
  readonly forceArrows?: ForceArrowOptions | null;
  /** Atom colours (default element colours). */
  readonly colorScheme?: ColorScheme;
  /** The dipole arrow; null draws none. */
  readonly dipoleArrow?: DipoleArrowOptions | null;
  /** Atoms marked as fixed besides the shown structure's move_mask. */
  readonly fixedAtoms?: readonly number[];
  /** More structures drawn thin and semi-transparent with the shown one (a conformer ensemble). */
  readonly overlay?: readonly Structure[];
  readonly onReady: (viewer: StructureViewer | null) => void;
  readonly onPick: (event: PickEvent) => void;
  readonly onMeasure: (event: MeasureEvent) => void;
  readonly onFrame: (frame: number) => void;
}

/** Thin React host for the React-free three.js viewer: creates it once, pushes props as state, forwards events. */
export const ViewerPane = memo(function ViewerPane(props: ViewerPaneProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewerRef = useRef<StructureViewer | null>(null);
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let viewer: StructureViewer;
    try {
      viewer = createViewer(host, { preserveDrawingBuffer: true });
    } catch (error) {
      host.dataset['viewerError'] = error instanceof Error ? error.message : String(error);
      handlers.current.onReady(null);
      return;
    }
    viewerRef.current = viewer;
    const offs = [
      viewer.on('pick', (e) => handlers.current.onPick(e)),
      viewer.on('measure', (e) => handlers.current.onMeasure(e)),
      viewer.on('frame', (e) => handlers.current.onFrame(e.frame)),
    ];
    handlers.current.onReady(viewer);
    return () => {
      for (const off of offs) off();
      handlers.current.onReady(null);
      viewerRef.current = null;
      viewer.dispose();
    };
  }, []);

  const { structure, frames, frame, playing, style, showCell, supercell, labels, interaction, measurements, selection, theme } = props;
  const forceArrows = props.forceArrows ?? null;
  const fixedAtoms = props.fixedAtoms ?? NO_ATOMS;
  const overlay = props.overlay ?? NO_STRUCTURES;
  useEffect(() => {
    viewerRef.current?.setState({ structure, frames, camera: null });
  }, [structure, frames]);
  useEffect(() => {
    viewerRef.current?.setState({ frame, playing });
  }, [frame, playing]);
  useEffect(() => {
    viewerRef.current?.setState({ style, showCell, supercell, labels, interaction, measurements, selection, theme, forceArrows, fixedAtoms });
  }, [style, showCell, supercell, labels, interaction, measurements, selection, theme, forceArrows, fixedAtoms]);
  useEffect(() => {
    viewerRef.current?.setState({ overlay });
  }, [overlay]);

  const colorScheme = props.colorScheme ?? ELEMENT_SCHEME;
  const dipoleArrow = props.dipoleArrow ?? null;
  useEffect(() => {
    viewerRef.current?.setState({ colorScheme, dipoleArrow });
  }, [colorScheme, dipoleArrow]);

  const polyhedra = props.polyhedra ?? true;
  useEffect(() => {
    viewerRef.current?.setState({ polyhedra });
  }, [polyhedra]);

  return <div className="viewer-host" ref={hostRef} data-testid="viewer" />;
});
