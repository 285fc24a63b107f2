/**
 * The entry point: builds the IO and the program, runs it, and maps every error to the
 * exit codes of SPEC.md. Nothing else decides an exit status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { ExitCode, VaultError } from './core/errors.js';
import { escapeControls } from './core/terminal-text.js';
import { packageRoot } from './app/package-root.js';
import { systemIO, type IO } from './cli/io.js';
import { buildProgram } from './cli/program.js';
import { closeOpenStores } from './store/open.js';

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** True when `--json` appears among the options (before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  return optionGiven(argv, '--json');
}

/** True when `flag` appears among the options (before any `--`). */
function optionGiven(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag);
}

/** Runs the CLI with `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: string[], given?: IO): Promise<number> {
  const json = wantsJson(argv);
  let io: IO;
  try {
    io = given ?? (await systemIO());
  } catch (err) {
    // A re-executed process lost what it was handed over; the second try takes nothing.
    return reportError(await systemIO(), err, json);
  }
  // Prompts are drawn before commander's options are read, and colour them by themselves.
  if (optionGiven(argv, '--no-color')) io.quietPromptColour();
  let exitCode: number = ExitCode.ok;
  const program = buildProgram({ io, argv, setExitCode: (code) => (exitCode = code) }, { json, version: version() });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(io, err, json);
  } finally {
    await closeOpenStores();
  }
}

/**
 * Prints `err` for a person (or as JSON) and returns its exit code. A message or hint
 * may quote input (an id, a path, a word of the command line), so its control
 * characters are shown escaped; JSON keeps the text exact.
 */
function reportError(io: IO, err: unknown, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return ExitCode.ok;
    if (json) writeJsonError(io, 'usage', err.message.replace(/^error: /, ''), ExitCode.usage);
    return ExitCode.usage;
  }
  if (err instanceof VaultError) {
    if (json) writeJsonError(io, err.code, err.message, err.exitCode, err.hint);
    else io.err(`error: ${escapeControls(err.message)}\n${err.hint ? `hint: ${escapeControls(err.hint)}\n` : ''}`);
    return err.exitCode;
  }
  // An unexpected error's message may quote its input (a JSON parse error does), so
  // only system errors, whose messages name an operation and a path, are shown.
  const system = err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall;
  const message = system ? (err as Error).message : `unexpected ${err instanceof Error ? err.name : 'error'}`;
  if (json) writeJsonError(io, 'unexpected', message, ExitCode.unexpected);
  else io.err(`error: ${escapeControls(message)}\nhint: run again with AGENT_VAULT_DEBUG=1 for details\n`);
  if (io.env.AGENT_VAULT_DEBUG === '1' && err instanceof Error) io.err(`${debugDetails(err)}\n`);
  return ExitCode.unexpected;
}

/** A line of a V8 stack trace that names a place in the code: `    at f (file:1:2)`. */
const STACK_FRAME = /^\s+at (?:.*:\d+:\d+\)?|.*\((?:native|<anonymous>)\)|<anonymous>)$/;

/**
 * What AGENT_VAULT_DEBUG=1 prints for an unexpected error: its name, code and syscall
 * and the stack frames, with the same for its cause, but never its message. A message
 * may quote its input, and that input may be a secret: spawn's error for an environment
 * value with a NUL byte quotes the value, JSON.parse's quotes the text it was given.
 */
export function debugDetails(err: Error): string {
  const { code, syscall } = err as NodeJS.ErrnoException;
  const head = [err.name, ...(typeof code === 'string' ? [`code ${code}`] : []), ...(typeof syscall === 'string' ? [`syscall ${syscall}`] : [])].join(', ');
  // The stack begins with the message, which may span lines: every copy of it goes
  // before the frames are picked, so that no line of it can pass for a frame.
  const stack = typeof err.stack === 'string' ? err.stack : '';
  const frames = (err.message === '' ? stack : stack.split(err.message).join('')).split('\n').filter((line) => STACK_FRAME.test(line));
  const cause = err.cause instanceof Error ? `\ncaused by: ${debugDetails(err.cause)}` : '';
  return `${escapeControls([head, ...frames].join('\n'), { keepNewlines: true })}${cause}`;
}

function writeJsonError(io: IO, code: string, message: string, exit: number, hint?: string): void {
  io.err(`${JSON.stringify({ error: { code, message, exit, ...(hint ? { hint } : {}) } })}\n`);
}
