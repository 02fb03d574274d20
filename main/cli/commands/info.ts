import { FORMATS, formatById } from '../../../core/formats/registry';
import { runBatchJob } from '../../../core/pipeline/job';
import type { RowSink } from '../../../core/pipeline/rows';
import { symbolOf } from '../../../core/structure/elements';
import { fileInput } from '../../io/files';
import { parseCommandLine } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';

const HELP = `Usage: equimol info [options] FILE...

Reads every record of each file (gzip is detected) and reports the format, number of structures, atoms,
elements and the records that failed to parse (record and line both counted from 1).

Options:
  --json          one JSON object per line per file:
                  {"file", "format", "structures", "atoms", "elements", "errors": [{"record", "line", "message"}], "error_count"}
                  (errors lists at most 1000 entries; error_count is the total; format is null when unreadable)
  --format ID     read as this format instead of detecting it (${FORMATS.map((f) => f.id).join(', ') || 'none registered'})
  -h, --help      this text

Exit codes: 0 all records read, 1 some records failed, 2 usage error, 3 a file could not be read, 130 interrupted.
`;

const MAX_LISTED_ERRORS = 1000;

interface FileInfo {
  file: string;
  format: string | null;
  structures: number;
  atoms: number;
  elements: string[];
  errors: Array<{ record: number | null; line: number; message: string }>;
  error_count: number;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'count structures, atoms, elements and errors in files',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' }, format: { type: 'string' } });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('info needs at least one FILE');
    if (values.format !== undefined && !formatById(values.format)) throw new UsageError(`unknown format '${values.format}'`);
    let exit: number = EXIT.ok;
    for (const file of positionals) {
      const info: FileInfo = { file, format: null, structures: 0, atoms: 0, elements: [], errors: [], error_count: 0 };
      const elements = new Set<number>();
      const sink: RowSink = {
        async write(rows) {
          for (const row of rows) {
            if (row.status === 'ok' && row.structure) {
              info.structures++;
              info.atoms += row.structure.numbers.length;
              for (const z of row.structure.numbers) elements.add(z);
            } else {
              info.error_count++;
              if (info.errors.length < MAX_LISTED_ERRORS) info.errors.push({ record: row.record === null ? null : row.record + 1, line: row.line, message: row.error }); // 1-based
            }
          }
        },
        async close() {},
      };
      const result = await runBatchJob({
        inputs: [await fileInput(file)],
        sink,
        signal: io.signal,
        ...(values.format !== undefined ? { format: values.format } : {}),
        onInput: (_input, format) => {
          info.format = format.id;
        },
      });
      info.elements = [...elements].sort((a, b) => a - b).map((z) => (z === 0 ? 'X' : symbolOf(z)));
      if (result.cancelled) return EXIT.cancelled;
      if (result.unreadableInputs.length > 0) exit = EXIT.unreadable;
      else if (info.error_count > 0 && exit === EXIT.ok) exit = EXIT.recordErrors;
      if (values.json) {
        writeLine(io.stdout, JSON.stringify(info));
      } else {
        const what = info.format === null ? 'unreadable' : `${info.format}, ${info.structures} structures, ${info.atoms} atoms, elements ${info.elements.join(' ') || '-'}`;
        writeLine(io.stdout, `${file}: ${what}, ${info.error_count} errors`);
        for (const e of info.errors.slice(0, 20)) {
          writeLine(io.stdout, `  ${e.record === null ? 'file' : `record ${e.record}`}, line ${e.line}: ${e.message}`);
        }
        if (info.error_count > 20) writeLine(io.stdout, `  ... ${info.error_count - 20} more (use --json for up to ${MAX_LISTED_ERRORS})`);
      }
    }
    return exit;
  },
};
