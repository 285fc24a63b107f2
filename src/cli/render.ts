/**
 * The one renderer: a table on a TTY (cli-table3, loaded only then; times relative to
 * now), tab-separated lines without colour when piped (times in ISO 8601), and one JSON document with `--json`. Tables, lines
 * and notices show control characters escaped (core/terminal-text.ts): what an agent
 * wrote into a name must not drive the owner's terminal. JSON and bare values
 * (`credential get`) are the data exactly.
 */
import { relativeIfTime } from '../core/relative-time.js';
import { escapeControls } from '../core/terminal-text.js';
import type { IO } from './io.js';

/** One column of a table: its header, each row's text, and whether a row's cell is shown in red on a TTY. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  red?: (row: T) => boolean;
  /** The cells are ISO 8601 times: on a TTY shown relative to now ("3 minutes ago"), piped as they are. */
  time?: boolean;
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

/**
 * A tab-separated field keeps its data exactly but escaped (`\t`, `\n`, `\\`, `\x1b`…):
 * a tab or newline would break the line, and piped output often still ends on a
 * terminal (`| less`, `| column -t`). `--json` gives the raw text.
 */
function plainField(text: string): string {
  return escapeControls(text, { reversible: true });
}

/** How much output {@link writeLines} gathers before it writes: a pipe's buffer, so a reader sees it as it comes. */
const WRITE_CHUNK = 64 * 1024;

/**
 * Writes one line per item (`line` returns it with its newline) in writes of about
 * {@link WRITE_CHUNK} characters rather than one write per line: a write is a system
 * call, and 10,000 of them were a large part of `credential list`'s time at 10,000 rows.
 */
export function writeLines<T>(io: IO, items: Iterable<T>, line: (item: T) => string): void {
  let pending = '';
  for (const item of items) {
    pending += line(item);
    if (pending.length >= WRITE_CHUNK) {
      io.out(pending);
      pending = '';
    }
  }
  if (pending !== '') io.out(pending);
}

export async function printTable<T>(io: IO, mode: OutputMode, rows: readonly T[], columns: ReadonlyArray<Column<T>>): Promise<void> {
  if (!io.isStdoutTTY) {
    writeLines(io, rows, (row) => `${columns.map((c) => plainField(c.value(row))).join('\t')}\n`);
    return;
  }
  const [{ default: Table }, { Chalk }] = await Promise.all([import('cli-table3'), import('chalk')]);
  const chalk = new Chalk({ level: mode.color ? 1 : 0 });
  const table = new Table({
    head: columns.map((c) => chalk.bold(c.header)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const now = io.now();
  const shown = (c: Column<T>, row: T): string => (c.time ? relativeIfTime(c.value(row), now) : c.value(row));
  // Escaped before colouring, so that chalk's own sequences are the only ones sent.
  for (const row of rows) table.push(columns.map((c) => (c.red?.(row) ? chalk.red : String)(escapeControls(shown(c, row)))));
  io.out(`${table.toString()}\n`);
}

export function printJson(io: IO, data: unknown): void {
  io.out(`${JSON.stringify(data, null, 2)}\n`);
}

/**
 * A message for the person (stderr), suppressed by `--quiet`. Its own line breaks are
 * kept; any other control character in it (from a name it quotes) is shown escaped.
 */
export function notice(io: IO, mode: OutputMode, text: string): void {
  if (!mode.quiet) io.err(`${escapeControls(text, { keepNewlines: true })}\n`);
}

/** A bare value for piping: the value and a newline (none with `-n`). */
export function printValue(io: IO, value: string, newline = true): void {
  io.out(newline ? `${value}\n` : value);
}
