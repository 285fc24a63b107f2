/**
 * The one renderer: a table on a TTY (cli-table3, loaded only then), tab-separated
 * lines without colour when piped, and one JSON document with `--json`.
 */
import type { IO } from './io.js';

/** The few styles table cells use: chalk on a TTY, plain text when piped. */
export interface Style {
  red(text: string): string;
  bold(text: string): string;
}

const PLAIN: Style = { red: (text) => text, bold: (text) => text };

export interface Column<T> {
  header: string;
  value: (row: T, style: Style) => string;
}

/** How output is shaped for this run. */
export interface OutputMode {
  json: boolean;
  quiet: boolean;
  /** Colour on a TTY unless `--no-color` or NO_COLOR; chalk loads only when a table is drawn. */
  color: boolean;
}

/** Colour only on a TTY, and never with `--no-color` or NO_COLOR. */
export function outputMode(io: IO, options: { json?: boolean; quiet?: boolean; color?: boolean }): OutputMode {
  const colorOn = io.isStdoutTTY && options.color !== false && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '');
  return { json: options.json === true, quiet: options.quiet === true, color: colorOn };
}

/** Tabs and newlines inside a field would break a tab-separated line: show them escaped. */
function plainField(text: string): string {
  return text.replace(/[\t\n\r\\]/g, (c) => ({ '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' })[c]!);
}

export async function printTable<T>(io: IO, mode: OutputMode, rows: readonly T[], columns: ReadonlyArray<Column<T>>): Promise<void> {
  if (!io.isStdoutTTY) {
    for (const row of rows) io.out(`${columns.map((c) => plainField(c.value(row, PLAIN))).join('\t')}\n`);
    return;
  }
  const [{ default: Table }, { Chalk }] = await Promise.all([import('cli-table3'), import('chalk')]);
  const chalk = new Chalk({ level: mode.color ? 1 : 0 });
  const table = new Table({
    head: columns.map((c) => chalk.bold(c.header)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(columns.map((c) => c.value(row, chalk)));
  io.out(`${table.toString()}\n`);
}

export function printJson(io: IO, data: unknown): void {
  io.out(`${JSON.stringify(data, null, 2)}\n`);
}

/** A message for the person (stderr), suppressed by `--quiet`. */
export function notice(io: IO, mode: OutputMode, text: string): void {
  if (!mode.quiet) io.err(`${text}\n`);
}

/** A bare value for piping: the value and a newline (none with `-n`). */
export function printValue(io: IO, value: string, newline = true): void {
  io.out(newline ? `${value}\n` : value);
}
