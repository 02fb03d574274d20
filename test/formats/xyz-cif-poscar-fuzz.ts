// Test helper for the XYZ / CIF / POSCAR fuzz tests: mutated real files through splitter + parseRecord.
import assert from 'node:assert/strict';
import { chunksOf, readText, splitLines } from '../../core/formats/read-text';
import type { StructureFormat } from '../../core/formats/format';
import { FormatError } from '../../core/structure/errors';
import { mutants } from '../helpers/fuzz';

export interface FuzzSummary {
  readonly files: number;
  readonly structures: number;
  readonly errors: number;
  readonly ms: number;
}

/**
 * Runs `count` mutants of `text` through the format. Asserts that parseRecord throws nothing but FormatError,
 * that every error names a line inside the mutated file and has a message, and that readText agrees.
 */
export function fuzzFormat(format: StructureFormat, text: string, count: number, seed: number): FuzzSummary {
  const t0 = performance.now();
  let structures = 0;
  let errors = 0;
  let files = 0;
  for (const mutant of mutants(text, count, seed)) {
    files++;
    const lineCount = Math.max(1, splitLines(mutant).length);
    for (const chunk of chunksOf(splitLines(mutant), format)) {
      assert.ok(chunk.firstLine >= 1 && chunk.firstLine <= lineCount, `chunk starts at line ${chunk.firstLine} of ${lineCount}`);
      try {
        const s = format.parseRecord(chunk, 'fuzz');
        for (let i = 0; i < s.positions.length; i++) assert.ok(Number.isFinite(s.positions[i]!), 'positions are finite');
        structures++;
      } catch (error) {
        if (!(error instanceof FormatError)) {
          assert.fail(`mutant ${files} (seed ${seed}) threw ${String(error)}\n--- mutant ---\n${mutant.slice(0, 2000)}`);
        }
        assert.ok(error.message.length > 0, 'error has a message');
        assert.ok(error.line >= 1 && error.line <= lineCount, `error line ${error.line} outside 1..${lineCount}: ${error.message}`);
        errors++;
      }
    }
    const result = readText(mutant, 'fuzz', format);
    for (const e of result.errors) {
      assert.ok(e.line >= 1 && e.line <= lineCount && e.message.length > 0 && e.file === 'fuzz');
    }
  }
  return { files, structures, errors, ms: performance.now() - t0 };
}
