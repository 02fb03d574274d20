/**
 * The CSV codec shared by writing results (core/export/csv.ts) and reading a partial output back for resume
 * (core/pipeline/resume.ts): RFC 4180 quoting (a field containing a comma, quote, CR or LF is wrapped in double
 * quotes and its quotes doubled) and its inverse. Lines end in \n.
 *
 * Layering: core/export -> core/pipeline (ResultRow, RowSink, column names in rows.ts) -> core/io. The row types
 * belong to the pipeline that produces the rows; export only implements RowSink for each output format. This
 * codec sits in core/io, below both, so the pipeline never imports core/export. core/io imports neither.
 */

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += csvField(fields[i]!);
  }
  return line + '\n';
}

/** Splits one CSV line (without its line ending) into fields, undoing RFC 4180 quoting. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      const comma = line.indexOf(',', i);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
