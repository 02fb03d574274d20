/** XYZ and ASE extended XYZ: multi-frame, per-frame key=value comment, per-atom columns from Properties. */
import type { Structure } from '../../structure/structure';
import type { RecordChunk, StructureFormat } from '../format';
import { parseAtomCount, parseXyzFrame, speciesToNumber } from './parser';
import { XyzSplitter } from './splitter';
import { xyzFrameToStructure } from './to-structure';
import { createExtxyzWriter } from './writer';

export { parseXyzFrame, type XyzFrame, type ExtxyzColumn, type ExtxyzColumnType } from './parser';
export { XyzSplitter } from './splitter';
export { xyzFrameToStructure } from './to-structure';
export { createExtxyzWriter, extxyzComment, formatNumber } from './writer';
export { parseKeyValueComment, splitKeyValues, convertValue } from './comment';

/** Confidence that `head` is XYZ: a count line, a comment line, then atom lines 'symbol x y z'. */
export function sniffXyz(head: string): number {
  const lines = head.split(/\r?\n/, 8);
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (i >= lines.length) return 0;
  const count = parseAtomCount(lines[i]!);
  if (count === undefined) return 0;
  const comment = lines[i + 1];
  if (comment === undefined) return 0.2;
  const extended = /Properties=|Lattice=/.test(comment);
  const atomLine = lines[i + 2];
  if (count === 0) return extended ? 0.8 : 0.3;
  if (atomLine === undefined) return extended ? 0.8 : 0.3;
  const tokens = atomLine.trim().split(/\s+/);
  const looksAtom = tokens.length >= 4 && speciesToNumber(tokens[0]!) !== undefined && tokens.slice(1, 4).every((t) => Number.isFinite(Number(t)));
  if (!looksAtom) return extended ? 0.5 : 0.1;
  return extended ? 0.95 : 0.85;
}

function recordParser(formatId: string): (chunk: RecordChunk, file: string) => Structure {
  return (chunk, file) => xyzFrameToStructure(parseXyzFrame(chunk), { file, format: formatId, record: chunk.index, line: chunk.firstLine });
}

/** Plain '.xyz' files (read as extended XYZ when the comment holds key=value pairs, as ASE does). */
export const xyzFormat: StructureFormat = {
  id: 'xyz',
  name: 'XYZ',
  extensions: ['xyz'],
  sniff: sniffXyz,
  createSplitter: () => new XyzSplitter(),
  parseRecord: recordParser('xyz'),
  createWriter: createExtxyzWriter,
};

/** ASE extended XYZ ('.extxyz'). */
export const extxyzFormat: StructureFormat = {
  id: 'extxyz',
  name: 'Extended XYZ',
  extensions: ['extxyz'],
  sniff: (head) => {
    const score = sniffXyz(head);
    // Prefer extxyz over plain xyz when the comment line is extended.
    return /Properties=|Lattice=/.test(head.split(/\r?\n/, 3).join('\n')) ? Math.min(1, score + 0.04) : score * 0.9;
  },
  createSplitter: () => new XyzSplitter(),
  parseRecord: recordParser('extxyz'),
  createWriter: createExtxyzWriter,
};
