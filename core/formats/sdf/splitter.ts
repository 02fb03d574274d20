import type { RecordChunk, RecordSplitter } from '../format';

/** Longest record kept in memory (a 1M-atom V3000 molfile has about 2M lines). */
export const MAX_RECORD_LINES = 4_000_000;

function isDelimiter(line: string): boolean {
  return line.charCodeAt(0) === 36 && line.startsWith('$$$$') && line.trimEnd() === '$$$$';
}

/**
 * Cuts an SD file into records at '$$$$' lines (not included in the chunk). Holds one record at a time.
 * A lone molfile without '$$$$' is one record; trailing blank lines after the last '$$$$' are dropped.
 */
export function createSdfSplitter(): RecordSplitter {
  let lines: string[] = [];
  let firstLine = 1;
  let lineNo = 0;
  let index = 0;
  const take = (): RecordChunk => {
    const chunk: RecordChunk = { index: index++, firstLine, lines };
    lines = [];
    return chunk;
  };
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      if (isDelimiter(line)) {
        const chunk = take();
        firstLine = lineNo + 1;
        return chunk;
      }
      lines.push(line);
      // Bounded memory for files that never say '$$$$': cut (the parser then reports the broken record).
      if (lines.length >= MAX_RECORD_LINES) {
        const chunk = take();
        firstLine = lineNo + 1;
        return chunk;
      }
      return undefined;
    },
    end(): RecordChunk | undefined {
      if (lines.every((l) => l.trim() === '')) return undefined;
      return take();
    },
  };
}
