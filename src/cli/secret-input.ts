/**
 * Secret values come from stdin, a file, or a masked prompt on a TTY; never from argv
 * unless the user typed them there (`credential set KEY=VALUE`, `--totp SECRET`), and
 * then with a warning.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { IO } from './io.js';
import { notice, type OutputMode } from './render.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as UTF-8 text, exactly (a byte order mark included). Values are stored as text,
 * so bytes that are not UTF-8 are refused (exit 2) rather than silently replaced with
 * U+FFFD, which would store something other than what was given and report success.
 */
export function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8 text`, 'values are stored as UTF-8 text: store binary data base64-encoded, e.g. base64 -w0 key.bin | agent-vault credential set KEY=-');
  }
}

/** Reads a small text file named on the command line, with a clear error if it is missing or not UTF-8. */
export function readTextFile(path: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`);
  }
  return decodeText(bytes, `${what} ${path}`);
}

/** Removes one trailing newline (`\n` or `\r\n`), as `KEY=-` promises. */
function stripOneNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * A secret from stdin (`KEY=-`, `--password-stdin`, `--passphrase-stdin`…). When stdin is
 * the terminal, reading it would echo what is typed to the screen (and to anyone
 * looking, or a screen recording): the secret is asked for at a masked prompt instead,
 * as `KEY` alone is. Piped or redirected, stdin is read as it is.
 */
export async function readSecretFromStdin(io: IO, what: string): Promise<string> {
  if (io.isStdinTTY && io.canPrompt()) return (await io.prompter()).password(promptLabel(what));
  return stripOneNewline(decodeText(await io.readStdin(what), `${what} on stdin`));
}

/** "the value of KEY" as a prompt: "Value of KEY". */
function promptLabel(what: string): string {
  const bare = what.replace(/^the /, '');
  return `${bare.charAt(0).toUpperCase()}${bare.slice(1)}`;
}

/**
 * Refuses an empty secret (exit 2) unless `--allow-empty` was given: an empty stdin is
 * far more often a mistake (`printf %s "$UNSET"`, a missing file redirected) than a
 * value, and storing it would overwrite the real one without a word.
 */
export function refuseEmpty(value: string, what: string, allowEmpty: boolean | undefined): string {
  if (value === '' && allowEmpty !== true) throw new UsageError(`${what} is empty, nothing was changed`, 'pass --allow-empty to store an empty value');
  return value;
}

export function readSecretFromFile(path: string, what: string): string {
  return stripOneNewline(readTextFile(path, `${what} file`));
}

/**
 * Warns that a secret was typed as an argument (`credential set KEY=VALUE`, `--totp
 * SECRET`): while the command runs, `ps` and /proc/<pid>/cmdline show it to every
 * process on the machine, and the shell may keep it in its history. A notice, so
 * `--quiet` drops it; not in `--json` mode, whose stderr carries only errors.
 */
export function warnSecretInArguments(io: IO, mode: OutputMode, what: string, instead: string): void {
  if (!mode.json) notice(io, mode, `warning: ${what} was given on the command line, where other processes and the shell history can see it; prefer ${instead}`);
}

/** Asks for a secret with a masked prompt, or fails with exit 2 naming `flagHint`. */
export async function promptSecret(io: IO, label: string, flagHint: string): Promise<string> {
  if (!io.canPrompt()) throw new UsageError(`${label} is needed and there is no terminal to ask on`, `pass ${flagHint}`);
  return (await io.prompter()).password(label);
}
