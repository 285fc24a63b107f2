/**
 * Runs the user's editor on a text that holds secrets (`credential edit`), the way git
 * runs it on a commit message: `$VISUAL`, else `$EDITOR`, else `vi`, a command line the
 * shell splits (`EDITOR="code --wait"`), the file's path its last argument.
 *
 * The text is in a file 0600 in a directory 0700 of its own (in `$XDG_RUNTIME_DIR`, a
 * per-user tmpfs, when there is one; else the temp directory), which is removed as soon
 * as the editor has ended, whatever happened: it exited non-zero, it was killed, or
 * agent-vault got SIGINT, SIGTERM or SIGHUP meanwhile (passed on to the editor, as
 * `exec` does, and waited for). A directory of its own also takes with it the swap and
 * backup files editors write beside the file. The secrets are never on the editor's
 * command line, and its environment has none of the caller's (no token, passphrase or
 * session: `withoutCallerSecrets`).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { withoutCallerSecrets } from '../core/env-vars.js';
import { CancelledError, UsageError } from '../core/errors.js';
import { writeNewFile } from '../store/atomic.js';

/** What of the IO (cli/io.ts) the editor needs; a type of its own, since io.ts itself opens the editor for a prompt. */
export interface EditorIO {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly isStdinTTY: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The signals that end an edit; Node's default for each would kill us before the directory is removed. */
const ENDING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Characters for which git hands the editor command to the shell instead of running it as one program name. */
const SHELL_CHARACTERS = /[|&;<>()$`\\"' \t\n*?[\]#~=%]/;

/** The editor's command line, as `$VISUAL`/`$EDITOR` give it, or `vi`. */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

/** How git starts `editor` on `file`: the program itself, or `sh -c 'editor "$@"' editor file` when the shell must split it. */
export function editorArgv(editor: string, file: string): [string, ...string[]] {
  return SHELL_CHARACTERS.test(editor) ? ['/bin/sh', '-c', `${editor} "$@"`, editor, file] : [editor, file];
}

/**
 * A new private directory: in `$XDG_RUNTIME_DIR` if that is a directory we may write
 * in, else in the OS temp directory.
 */
function privateDirectory(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) {
    try {
      if (statSync(runtime).isDirectory()) return mkdtempSync(join(runtime, 'agent-vault-edit-'));
    } catch {
      // Not there, or not ours to write in: the temp directory.
    }
  }
  return mkdtempSync(join(tmpdir(), 'agent-vault-edit-'));
}

/**
 * Writes `text` to `name` in a new private directory, runs the editor on it and returns
 * what the file holds when the editor exits 0. The directory is gone when this returns
 * or throws. An editor that fails, or a signal, is exit 8 (nothing is changed).
 */
export async function editText(io: EditorIO, text: string, name: string): Promise<string> {
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal;
  };
  // Before the directory exists, so no signal can end the process between its creation and its removal.
  for (const signal of ENDING) process.on(signal, onSignal);
  let dir: string | undefined;
  try {
    dir = privateDirectory(io.env);
    chmodSync(dir, 0o700);
    const file = join(dir, name);
    writeNewFile(file, Buffer.from(text, 'utf8'));
    if (signalled) throw new CancelledError('cancelled, nothing was changed');
    const editor = editorCommand(io.env);
    const [program, ...args] = editorArgv(editor, file);
    const { runChild } = await import('./child-process.js');
    const outcome = await runChild(program, args, { env: withoutCallerSecrets(io.env), stdout: io.stdout, stderr: io.stderr, interactive: io.isStdinTTY });
    if (signalled) throw new CancelledError(`cancelled (${signalled}), nothing was changed`);
    // 127 is the shell's "command not found".
    if ('failed' in outcome || outcome.status === 127) {
      const why = 'failed' in outcome && outcome.failed === 'not_executable' ? 'not executable' : 'not found';
      throw new UsageError(`cannot start the editor ${JSON.stringify(editor)}: ${why}`, 'set VISUAL or EDITOR to an editor that waits until the file is closed, e.g. EDITOR="code --wait"');
    }
    if (outcome.status !== 0) throw new CancelledError(`the editor exited with status ${outcome.status}, nothing was changed`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new CancelledError('the editor left no file behind, nothing was changed');
    }
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new UsageError('the edited document is not valid UTF-8 text, nothing was changed', 'save it as UTF-8');
    }
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    for (const signal of ENDING) process.off(signal, onSignal);
  }
}
