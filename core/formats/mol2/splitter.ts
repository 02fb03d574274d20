import type { RecordChunk, RecordSplitter } from '../format';

/** Longest record kept in memory (a 1M-atom MOL2 record has about 2M lines). */
export const MAX_MOL2_RECORD_LINES = 4_000_000;

function isMoleculeLine(line: string): boolean {
  return line.charCodeAt(0) === 64 && line.trimEnd().toUpperCase() === '@<TRIPOS>MOLECULE';
}

function isIgnorable(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/**
 * Cuts a Tripos MOL2 file into records: each starts at an '@<TRIPOS>MOLECULE' line and runs to the next one.
 * Blank and '#' comment lines before the first MOLECULE make no record; any other text there becomes a
 * record of its own, which the parser rejects with its line number. Holds one record at a time.
 */
export function createMol2Splitter(): RecordSplitter {
  let lines: string[] = [];
  let firstLine = 1;
  let lineNo = 0;
  let index = 0;
  const take = (): RecordChunk => {
    const chunk: RecordChunk = { index: index++, firstLine, lines };
    lines = [];
    return chunk;
  };
  const pending = (): boolean => lines.some((l) => !isIgnorable(l));
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // byte-order mark
      if (isMoleculeLine(line)) {
        const chunk = pending() ? take() : undefined;
        lines = [line];
        firstLine = lineNo;
        return chunk;
      }
      if (lines.length === 0) firstLine = lineNo;
      lines.push(line);
      if (lines.length >= MAX_MOL2_RECORD_LINES) {
        const chunk = take();
        firstLine = lineNo + 1;
        return chunk;
      }
      return undefined;
    },
    end(): RecordChunk | undefined {
      if (!pending()) return undefined;
      return take();
    },
  };
}
