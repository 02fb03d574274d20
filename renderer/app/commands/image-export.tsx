/**
 * "Export image…": the current view as a PNG at 1×, 2× or 4× the viewer's resolution, optionally on a transparent
 * background (StructureViewer.toPNG). A command with a viewer-toolbar button opens a dialog that shows each scale's
 * pixel size and greys out those past the GPU's limit; the image is saved as ctx.save does (a download in web mode,
 * the save dialog on the desktop).
 */
import { useState } from 'react';
import type { ImageExportOptions, ImageScale, StructureViewer } from '../../viewer/viewer-api';
import { registerCommand, registerPanel, type PanelContext, type PanelProps } from '../panels/panel-registry';

export const IMAGE_EXPORT_DIALOG = 'equimol.export-image';
const SCALES: readonly ImageScale[] = [1, 2, 4];
/** The viewer toolbar's view group (labels, measure, fit, PNG) of view-commands.tsx. */
const VIEW_GROUP = 300;

/** File name of an export: the structure's name made file-safe, '@2x'/'@4x' and '-transparent' when they apply. */
export function imageFileName(name: string, options: Required<ImageExportOptions>): string {
  const base = name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'structure';
  return `${base}${options.scale > 1 ? `@${options.scale}x` : ''}${options.transparent ? '-transparent' : ''}.png`;
}

/** Pixel size of each scale now, and why a scale cannot be used (null when it can). */
function scaleChoices(viewer: StructureViewer | null): Array<{ scale: ImageScale; label: string; problem: string | null }> {
  return SCALES.map((scale) => {
    if (!viewer) return { scale, label: `${scale}×`, problem: 'The viewer is not ready.' };
    const size = viewer.imageExportSize({ scale });
    const problem = size.fits ? null : `${size.width} × ${size.height} px is larger than this GPU's limit of ${size.maxSide} px per side.`;
    return { scale, label: `${scale}× (${size.width} × ${size.height} px)`, problem };
  });
}

function ImageExportDialog({ ctx }: PanelProps) {
  const [scale, setScale] = useState<ImageScale>(1);
  const [transparent, setTransparent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const viewer = ctx.viewer;
  const choices = scaleChoices(viewer);
  const chosen = choices.find((c) => c.scale === scale)!;
  const fileName = imageFileName(ctx.selectedSummary?.name ?? ctx.shownStructure?.name ?? '', { scale, transparent });
  const save = async () => {
    if (!viewer || chosen.problem !== null) return;
    setBusy(true);
    setError(null);
    try {
      const blob = await viewer.toPNG({ scale, transparent });
      await ctx.save({ fileName, mimeType: 'image/png', bytes: new Uint8Array(await blob.arrayBuffer()), records: 1 });
      ctx.closeDialog();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={ctx.closeDialog} data-testid="export-image-dialog">
      <div className="modal sampler-dialog" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Export image">
        <h3>Export image</h3>
        <div className="section-title">Resolution</div>
        <div className="sampler-scope" role="radiogroup" aria-label="Resolution">
          {choices.map((c) => (
            <label key={c.scale} className={c.problem ? 'disabled' : undefined} title={c.problem ?? undefined}>
              <input type="radio" name="image-scale" checked={scale === c.scale} disabled={c.problem !== null} onChange={() => setScale(c.scale)} data-testid={`export-image-scale-${c.scale}`} />
              {c.label}
            </label>
          ))}
        </div>
        <div className="sampler-scope">
          <label>
            <input type="checkbox" checked={transparent} onChange={(e) => setTransparent(e.target.checked)} data-testid="export-image-transparent" />
            Transparent background
          </label>
        </div>
        {error ? (
          <div className="error-text" role="alert" data-testid="export-image-error">
            {error}
          </div>
        ) : undefined}
        <div className="sampler-footer">
          <span className="muted" data-testid="export-image-file">
            {chosen.problem ?? fileName}
          </span>
          <button className="btn" onClick={ctx.closeDialog} data-testid="export-image-cancel">
            Cancel
          </button>
          <button className="btn primary" onClick={() => void save()} disabled={busy || chosen.problem !== null} data-testid="export-image-save">
            {busy ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </div>
    </div>
  );
}

const canExport = (ctx: PanelContext) => ctx.viewer !== null && ctx.shownStructure !== null;

registerCommand({
  id: `${IMAGE_EXPORT_DIALOG}.open`,
  title: 'Export image…',
  toolbar: { area: 'viewer', group: VIEW_GROUP, order: 45, label: 'Image…', tooltip: 'Export image… (PNG at 1×, 2× or 4×, optionally transparent)', testId: 'export-image-button' },
  enabled: canExport,
  run: (ctx) => ctx.openDialog(IMAGE_EXPORT_DIALOG),
});
registerPanel({ id: IMAGE_EXPORT_DIALOG, title: 'Export image', location: 'dialog', when: canExport, component: ImageExportDialog });
