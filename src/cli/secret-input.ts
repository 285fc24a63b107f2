/**
 * Secret values come from stdin, a file, or a masked prompt on a TTY; never from argv
 * unless the user typed them there (`credential set KEY=VALUE`).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { IO } from './io.js';

/** Reads a small text file named on the command line, with a clear error if it is missing. */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`);
  }
}

/** Removes one trailing newline (`\n` or `\r\n`), as `KEY=-` promises. */
export function stripOneNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

export async function readSecretFromStdin(io: IO, what: string): Promise<string> {
  return stripOneNewline((await io.readStdin(what)).toString('utf8'));
}

export function readSecretFromFile(path: string, what: string): string {
  return stripOneNewline(readTextFile(path, `${what} file`));
}

/** Asks for a secret with a masked prompt, or fails with exit 2 naming `flagHint`. */
export async function promptSecret(io: IO, label: string, flagHint: string): Promise<string> {
  if (!io.canPrompt()) throw new UsageError(`${label} is needed and there is no terminal to ask on`, `pass ${flagHint}`);
  return (await io.prompter()).password(label);
}
