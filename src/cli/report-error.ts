/**
 * The one mapping from a thrown error to what the user sees and the exit code of
 * SPEC.md, shared by the commander program and the fast path (cli/fast-path.ts).
 * Commander is not imported here: the fast path must not load it, so its errors are
 * recognised by their shape ({@link isCommanderError}).
 */
import { ExitCode, VaultError } from '../core/errors.js';
import { escapeControls } from '../core/terminal-text.js';
import type { IO } from './io.js';

/** Commander's own errors (CommanderError and its subclass InvalidArgumentError): an exit code and a `commander.*` code. */
function isCommanderError(err: unknown): err is Error & { exitCode: number; code: string } {
  if (!(err instanceof Error)) return false;
  const { exitCode, code } = err as Error & { exitCode?: unknown; code?: unknown };
  return typeof exitCode === 'number' && typeof code === 'string' && code.startsWith('commander.');
}

/**
 * Prints `err` for a person (or as JSON) and returns its exit code. A message or hint
 * may quote input (an id, a path, a word of the command line), so its control
 * characters are shown escaped; JSON keeps the text exact.
 */
export function reportError(io: IO, err: unknown, json: boolean): number {
  if (isCommanderError(err)) {
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
