import type { RecordChunk, RecordSplitter } from '../format';
import { encodeLayout, layoutOfFirstRow, smilesColumnByContent, splitDelimited, type TableLayout } from './smiles-list';

function isSkippable(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/** One record per non-blank, non-comment line; a first line starting with the word 'smiles' is a header. */
export function createSmiSplitter(): RecordSplitter {
  let lineNo = 0;
  let index = 0;
  let first = true;
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      if (isSkippable(line)) return undefined;
      if (first) {
        first = false;
        if (/^smiles(\s|$)/i.test(line.trim())) return undefined;
      }
      return { index: index++, firstLine: lineNo, lines: [line] };
    },
    end(): RecordChunk | undefined {
      return undefined;
    },
  };
}

/**
 * One record per data row of a CSV/TSV table. The first non-blank line decides the delimiter and whether
 * it is a header row; the SMILES column comes from the header name or, failing that, from the content of
 * the first data row. The layout travels to parseRecord in RecordChunk.header.
 * Needs RDKit loaded (format.prepare()) to recognise SMILES by content.
 */
export function createSmilesTableSplitter(): RecordSplitter {
  let lineNo = 0;
  let index = 0;
  let layout: TableLayout | undefined;
  let header: string[] | undefined;
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      if (line.trim() === '') return undefined;
      if (!layout) {
        layout = layoutOfFirstRow(line);
        if (layout.hasHeader) {
          if (layout.smilesColumn >= 0) header = encodeLayout(layout);
          return undefined;
        }
        header = encodeLayout(layout);
      } else if (!header) {
        layout = { ...layout, smilesColumn: smilesColumnByContent(splitDelimited(line, layout.delimiter)) };
        header = encodeLayout(layout);
      }
      return { index: index++, firstLine: lineNo, lines: [line], header };
    },
    end(): RecordChunk | undefined {
      return undefined;
    },
  };
}
