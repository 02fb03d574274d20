import type { StructureFormat } from './format';
import { sdfFormat } from './sdf';
import { pdbFormat, pdbqtFormat } from './pdb';
import { smilesFormat, smilesCsvFormat } from './smiles';
import { xyzFormat, extxyzFormat } from './xyz';
import { cifFormat, mmcifFormat } from './cif';
import { poscarFormat } from './poscar';
import { mol2Format } from './mol2';

/**
 * The format registry: the only place the CLI, the batch pipeline and drag-and-drop look up formats.
 * Each format folder exports one StructureFormat; add it to FORMATS below.
 */
export const FORMATS: readonly StructureFormat[] = [
  // format entries are added here, one per format folder
  sdfFormat,
  pdbFormat,
  pdbqtFormat,
  smilesFormat,
  smilesCsvFormat,
  xyzFormat,
  extxyzFormat,
  cifFormat,
  mmcifFormat,
  poscarFormat,
  mol2Format,
];

export function formatById(id: string): StructureFormat | undefined {
  const key = id.toLowerCase();
  return FORMATS.find((f) => f.id === key);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Extension(s) of a file name, ignoring a trailing .gz: 'a.extxyz.gz' -> 'extxyz'. */
export function extensionOf(path: string): string {
  let name = baseName(path).toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

export function formatsForFileName(path: string): StructureFormat[] {
  let name = baseName(path);
  if (name.toLowerCase().endsWith('.gz')) name = name.slice(0, -3);
  const ext = extensionOf(path);
  const stem = name.replace(/\.[^.]*$/, '').toLowerCase();
  return FORMATS.filter(
    (f) =>
      (ext !== '' && f.extensions.includes(ext)) ||
      (f.fileNames ?? []).some((n) => n.toLowerCase() === name.toLowerCase() || n.toLowerCase() === stem),
  );
}

export class UnknownFormatError extends Error {
  constructor(readonly file: string) {
    super(`${file}: unrecognised file format (known: ${FORMATS.map((f) => f.extensions.join('/')).join(', ')})`);
    this.name = 'UnknownFormatError';
  }
}

/**
 * Picks the format for a file: by extension or exact name first; content sniffing when the name says
 * nothing or several formats share the extension. `head` is the first few KB of the (decompressed) text.
 */
export function detectFormat(path: string, head: string): StructureFormat {
  const byName = formatsForFileName(path);
  if (byName.length === 1) return byName[0]!;
  const candidates = byName.length > 1 ? byName : FORMATS;
  let best: StructureFormat | undefined;
  let bestScore = 0;
  for (const f of candidates) {
    const score = f.sniff(head);
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  if (!best || bestScore < 0.3) {
    if (byName.length > 0) return byName[0]!;
    throw new UnknownFormatError(path);
  }
  return best;
}
