/**
 * `--clip` (`credential get`, `totp`): the value goes to the clipboard instead of
 * stdout, and is cleared later if the clipboard still holds it. Through `wl-copy`
 * (Wayland), `xclip` or `xsel` (X11) or `pbcopy` (macOS) when one is there, else an
 * OSC 52 sequence to the terminal. Loaded only with --clip.
 *
 * The value reaches a tool on its stdin only: never on a command line (every process
 * can read those) nor in an environment. The delayed clear is a detached process that
 * receives only the SHA-256 of the value, on its stdin, reads the clipboard back and
 * clears it only on a match, so whatever was copied since is left alone. No process
 * started here inherits the caller's token or passphrase variables.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, writeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { withoutCallerSecrets } from '../core/env-vars.js';
import type { Context } from './context.js';
import { notice, printJson } from './render.js';

/** Seconds before the clipboard is cleared, by default. */
const DEFAULT_CLIP_SECONDS = 45;
/** The longest `--clip-timeout`: a day, well inside what a timer can wait (2^31 - 1 ms, beyond which it fires at once). */
const MAX_CLIP_SECONDS = 86_400;

/** The options `--clip` adds to a command. */
export interface ClipOptions {
  clip?: boolean;
  clipTimeout?: string;
}

/** A clipboard tool: how to copy (the value on stdin), read back and clear. */
interface ClipboardTool {
  name: string;
  copy: string[];
  paste: string[];
  /** Clears the clipboard, given an empty stdin. */
  clear: string[];
}

/** `--clip-timeout`: `0` (never), seconds (`45`) or a duration (`45s`, `2m`), at most a day. */
function clipTimeoutSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CLIP_SECONDS;
  let seconds: number;
  if (/^[0-9]{1,6}$/.test(text)) seconds = Number(text);
  else {
    try {
      seconds = parseDuration(text) / 1000;
    } catch {
      throw new UsageError(`--clip-timeout must be 0 (never), seconds or a duration, not ${JSON.stringify(text)}`, 'for example: --clip-timeout 45s, --clip-timeout 2m, --clip-timeout 0');
    }
  }
  if (seconds > MAX_CLIP_SECONDS) throw new UsageError(`--clip-timeout is at most a day (${MAX_CLIP_SECONDS} s), not ${JSON.stringify(text)}`, 'use --clip-timeout 0 for a copy that is never cleared');
  return seconds;
}

/** The executable `name` on `path`, if any. */
function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; the next directory.
    }
  }
  return undefined;
}

/** The clipboard tool this session can use, if any: the display's own first. */
function findTool(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): ClipboardTool | undefined {
  const candidates: Array<{ when: boolean; name: string; copy: string[]; paste: string[]; clear: string[] }> = [
    { when: Boolean(env.WAYLAND_DISPLAY), name: 'wl-copy', copy: [], paste: ['wl-paste', '--no-newline'], clear: ['wl-copy', '--clear'] },
    { when: Boolean(env.DISPLAY), name: 'xclip', copy: ['-selection', 'clipboard', '-in'], paste: ['xclip', '-selection', 'clipboard', '-out'], clear: ['xclip', '-selection', 'clipboard', '-in'] },
    { when: Boolean(env.DISPLAY), name: 'xsel', copy: ['--clipboard', '--input'], paste: ['xsel', '--clipboard', '--output'], clear: ['xsel', '--clipboard', '--clear'] },
    { when: platform === 'darwin', name: 'pbcopy', copy: [], paste: ['pbpaste'], clear: ['pbcopy'] },
  ];
  for (const c of candidates) {
    const path = c.when ? onPath(c.name, env.PATH) : undefined;
    if (path === undefined) continue;
    const paste = onPath(c.paste[0]!, env.PATH);
    const clear = onPath(c.clear[0]!, env.PATH);
    return { name: c.name, copy: [path, ...c.copy], paste: paste === undefined ? [] : [paste, ...c.paste.slice(1)], clear: clear === undefined ? [] : [clear, ...c.clear.slice(1)] };
  }
  return undefined;
}

/** Runs `command` with `input` on its stdin and nothing else attached; resolves on a zero exit. */
function feed(command: string[], input: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout and stderr ignored: xclip and wl-copy leave a child serving the selection,
    // which would hold a pipe open and keep this command from ending.
    const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'ignore', 'ignore'], env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new UsageError(`${command[0]} failed (exit status ${code ?? 'by a signal'}); nothing was copied`))));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * The delayed clear, run by `node -e` in a detached process. argv: the wait in
 * milliseconds, then the paste and clear commands as JSON; stdin: the hex SHA-256 of
 * what was copied. It compares hashes only, so the value never reaches it.
 */
const CLEAR_SCRIPT = `
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const [ms, paste, clear] = [Number(process.argv[1]), JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
let expected = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { expected += d; });
process.stdin.on('end', () => setTimeout(() => {
  const now = spawnSync(paste[0], paste.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 });
  if (now.status !== 0 || !now.stdout) return;
  if (createHash('sha256').update(now.stdout).digest('hex') !== expected.trim()) return;
  spawnSync(clear[0], clear.slice(1), { input: '', stdio: ['pipe', 'ignore', 'ignore'], timeout: 10000 });
}, ms));
`;

function scheduleClear(tool: ClipboardTool, value: string, seconds: number, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, ['--input-type=commonjs', '-e', CLEAR_SCRIPT, String(seconds * 1000), JSON.stringify(tool.paste), JSON.stringify(tool.clear)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    // Outliving this command, it must not keep the caller's directory busy.
    cwd: '/',
    env,
  });
  child.stdin.on('error', () => {});
  child.stdin.end(createHash('sha256').update(value, 'utf8').digest('hex'));
  child.unref();
}

/** An OSC 52 "set clipboard" sequence, wrapped so that tmux or screen passes it on to the terminal. */
export function osc52(value: string, env: NodeJS.ProcessEnv): string {
  const sequence = `\x1b]52;c;${Buffer.from(value, 'utf8').toString('base64')}\x07`;
  if (env.TMUX) return `\x1bPtmux;${sequence.replaceAll('\x1b', '\x1b\x1b')}\x1b\\`;
  // screen passes on at most 768 bytes of one device control string: send it in pieces.
  if (env.STY) return (sequence.match(/[^]{1,760}/g) ?? []).map((part) => `\x1bP${part}\x1b\\`).join('');
  return sequence;
}

/**
 * How to write to the terminal for OSC 52: stdout when it is one, else /dev/tty when
 * stdin or stderr is a terminal (`$(agent-vault … --clip)` captures stdout); undefined
 * when there is none to write to.
 */
function terminalWriter(ctx: Context): ((text: string) => void) | undefined {
  if (ctx.io.isStdoutTTY) return (text) => ctx.io.out(text);
  if (!ctx.io.isStderrTTY && !ctx.io.isStdinTTY) return undefined;
  const open = (): number => openSync('/dev/tty', constants.O_WRONLY | constants.O_NOCTTY);
  try {
    closeSync(open());
  } catch {
    return undefined;
  }
  return (text) => {
    const fd = open();
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  };
}

/** Copies a value (of `what`, for the message) to the clipboard chosen by {@link prepareClip}. */
export type Copier = (value: string, what: string) => Promise<void>;

/**
 * Decides where `--clip` copies to (a clipboard tool, else the terminal by OSC 52) and
 * when it clears, before any value is read: a bad `--clip-timeout`, or no tool and no
 * terminal (exit 2 naming one to install), refuse the command with nothing decrypted
 * and no read recorded.
 */
export function prepareClip(ctx: Context, options: ClipOptions): Copier {
  const seconds = clipTimeoutSeconds(options.clipTimeout);
  const env = withoutCallerSecrets(ctx.io.env);
  const tool = findTool(env, process.platform);
  const terminal = tool ? undefined : terminalWriter(ctx);
  if (!tool && !terminal) {
    throw new UsageError('--clip found no clipboard tool and no terminal to send the value to; nothing was copied', 'install wl-clipboard (Wayland), xclip or xsel (X11), or run it on a terminal, which gets it by OSC 52');
  }
  return async (value, what) => {
    let via: string;
    let clears: number | null = null;
    let notCleared = '--clip-timeout 0';
    if (tool) {
      await feed(tool.copy, value, env);
      via = tool.name;
      if (seconds > 0 && tool.paste.length > 0 && tool.clear.length > 0) {
        scheduleClear(tool, value, seconds, env);
        clears = seconds;
      } else if (seconds > 0) notCleared = `${tool.paste[0] === undefined ? 'no tool to read the clipboard back' : 'no tool to clear it'} was found`;
    } else {
      // OSC 52 cannot be read back, so a later clear could wipe what the user copied
      // since: it is not cleared, and the message says so.
      terminal!(osc52(value, env));
      via = 'OSC 52';
      notCleared = 'a terminal clipboard cannot be read back; copy something else over it when done';
    }
    if (ctx.mode.json) {
      printJson(ctx.io, { copied: true, via, clears_in: clears });
      return;
    }
    notice(ctx.io, ctx.mode, `copied ${what} to the clipboard (${via}); ${clears !== null ? `clears in ${clears} s` : `not cleared: ${notCleared}`}`);
  };
}
