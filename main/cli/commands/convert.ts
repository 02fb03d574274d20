import { createStructureRowSink, NotWritableFormatError } from '../../../core/export/structures';
import { FORMATS, formatById, formatsForFileName } from '../../../core/formats/registry';
import { runBatchJob } from '../../../core/pipeline/job';
import type { RowSink } from '../../../core/pipeline/rows';
import { AtomicFileSink, fileInput, StdoutSink, unreadableReason } from '../../io/files';
import { parseCommandLine } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';

function writableIds(): string {
  return FORMATS.filter((f) => f.createWriter).map((f) => f.id).join(', ') || 'none registered';
}

const HELP = `Usage: equimol convert [options] IN OUT

Converts every structure of IN to OUT's format (from OUT's extension). Records that fail to parse are skipped,
counted and listed on stderr (file, record, line, message). OUT is written under a temporary name and renamed
when complete, so it never exists half written. '-' reads stdin / writes stdout (then --format is required).

Options:
  --format ID   output format (writable: ${writableIds()})
  --from ID     input format instead of detecting it
  -h, --help    this text

Exit codes: 0 all converted, 1 some records skipped, 2 usage error, 3 IN unreadable, 130 interrupted (OUT not written).
`;

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert structures between formats (SDF, extXYZ, ...)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { format: { type: 'string' }, from: { type: 'string' } });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError('convert needs exactly IN and OUT');
    const [inPath, outPath] = positionals as [string, string];
    if (values.from !== undefined && !formatById(values.from)) throw new UsageError(`unknown input format '${values.from}'`);
    const outFormat = values.format !== undefined ? formatById(values.format) : outPath === '-' ? undefined : formatsForFileName(outPath).find((f) => f.createWriter);
    if (!outFormat) {
      throw new UsageError(
        values.format !== undefined ? `unknown output format '${values.format}'` : `cannot tell a writable format from '${outPath}' (use --format; writable: ${writableIds()})`,
      );
    }
    if (!outFormat.createWriter) throw new UsageError(new NotWritableFormatError(outFormat.id).message);
    const reason = await unreadableReason(inPath);
    if (reason) {
      writeLine(io.stderr, `equimol convert: ${reason}`);
      return EXIT.unreadable;
    }

    let skipped = 0;
    const errors: RowSink = {
      async write(rows) {
        for (const row of rows) {
          skipped++;
          if (skipped <= 50) {
            writeLine(io.stderr, `equimol convert: skipped ${row.file}${row.record === null ? '' : ` record ${row.record + 1}`}, line ${row.line}: ${row.error}`);
          }
        }
      },
      async close() {},
    };
    const out = outPath === '-' ? new StdoutSink() : await AtomicFileSink.open(outPath);
    const sink = createStructureRowSink(outFormat, out, [], { errors });
    let result;
    try {
      result = await runBatchJob({
        inputs: [await fileInput(inPath)],
        sink,
        signal: io.signal,
        ...(values.from !== undefined ? { format: values.from } : {}),
      });
    } catch (error) {
      if (out instanceof AtomicFileSink) await out.discard();
      throw error;
    }
    if (result.cancelled || result.unreadableInputs.length > 0) {
      if (out instanceof AtomicFileSink) await out.discard();
      return result.cancelled ? EXIT.cancelled : EXIT.unreadable;
    }
    await sink.close();
    if (out instanceof AtomicFileSink) await out.commit();
    if (skipped > 50) writeLine(io.stderr, `equimol convert: ... ${skipped - 50} more skipped`);
    writeLine(io.stderr, `equimol convert: wrote ${sink.written} structures (${outFormat.id})${skipped > 0 ? `, skipped ${skipped} bad records` : ''} -> ${outPath}`);
    return skipped > 0 ? EXIT.recordErrors : EXIT.ok;
  },
};
