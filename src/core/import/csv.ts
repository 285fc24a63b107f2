/**
 * CSV exports, read with csv-parse's sync API. Its error messages can quote a field
 * (a password), so they are replaced by ours, which keep only the line number.
 */
import { parse } from 'csv-parse/sync';
import { malformed, type ImportFormat } from './entry.js';

/** One record: the line it starts on and its cells by lower-cased header name. */
export interface CsvRow {
  line: number;
  cells: Map<string, string>;
}

const PROBLEMS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'opens a quote that is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'has text after a closing quote',
  INVALID_OPENING_QUOTE: 'has a quote inside an unquoted field',
};

/**
 * The header (lower-cased, trimmed) and the records of a CSV file. A byte-order mark is
 * skipped and blank lines are ignored; every other irregularity is a malformed input.
 */
export function parseCsv(format: ImportFormat, text: string): { header: string[]; rows: CsvRow[] } {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const { code, lines } = err as { code?: string; lines?: number };
    throw malformed(format, `line ${lines ?? '?'}`, PROBLEMS[code ?? ''] ?? 'is not valid CSV');
  }
  const [first, ...rest] = records;
  if (!first) throw malformed(format, 'line 1', 'there is no header line');
  const header = first.record.map((name) => name.trim().toLowerCase());
  const rows = rest.map(({ record, info }) => {
    // csv-parse counts the line a record ends on; quoted newlines inside it give where it starts.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    return { line, cells: new Map(record.map((cell, i) => [header[i]!, cell])) };
  });
  return { header, rows };
}
