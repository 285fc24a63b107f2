/**
 * All terminal I/O goes through one IO object: streams, TTY facts, the environment,
 * colour, stdin (read at most once), prompts (which write to stderr) and the clock.
 * Tests build one with {@link testIO}.
 */
import { createRequire } from 'node:module';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { isatty } from 'node:tty';
import { CancelledError, UsageError } from '../core/errors.js';
import { escapeControls } from '../core/terminal-text.js';
import { terminalBinding } from './terminal-binding.js';
import { PLAIN_THEME, promptColour } from './prompt-theme.js';
import { canReexecute, HANDED_OVER, HOLDER_VARIABLE, reexecuteWithout, takeHeldValues } from './secret-handover.js';

/** Masked and plain questions, answered on the terminal. Loaded only when asked. */
export interface Prompter {
  password(message: string): Promise<string>;
  input(message: string, options?: { default?: string }): Promise<string>;
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
  select<T extends string>(message: string, choices: readonly T[]): Promise<T>;
  /** A text written in the user's editor (cli/editor.ts: a private file, removed afterwards), one final newline removed. */
  editor(message: string): Promise<string>;
}

export interface IO {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  /** The environment, with AGENT_VAULT_PASSPHRASE already taken out of it. */
  readonly env: NodeJS.ProcessEnv;
  /** AGENT_VAULT_PASSPHRASE as it was at start-up; children never see it. */
  readonly passphraseFromEnv: string | undefined;
  /** AGENT_VAULT_SESSION (an owner session string) as it was at start-up; taken out of the environment as the passphrase is, so no child ever receives it. */
  readonly sessionFromEnv: string | undefined;
  readonly isStdinTTY: boolean;
  readonly isStdoutTTY: boolean;
  readonly isStderrTTY: boolean;
  out(text: string): void;
  err(text: string): void;
  /** All of stdin; a second call is a usage error (two values cannot share it). */
  readStdin(purpose: string): Promise<Buffer>;
  /** Prompts are possible only with a terminal on stdin and stderr. */
  canPrompt(): boolean;
  prompter(): Promise<Prompter>;
  /** From now on prompts are drawn without colour (`--no-color`; NO_COLOR is seen without it). */
  quietPromptColour(): void;
  /** The time, as commands see it: grant expiry, audit timestamps, `--since`. */
  now(): Date;
  /**
   * Called by `exec` before it starts a child: where it can (see secret-handover.ts),
   * re-executes this process so that its initial environment, which any process of the
   * user can read in /proc, no longer holds AGENT_VAULT_TOKEN or AGENT_VAULT_PASSPHRASE.
   * Then it does not return. Otherwise, and when neither is there, it does nothing.
   */
  dropSecretsFromEnviron(): Promise<void>;
  /**
   * What an owner session opened here is bound to (terminal-binding.ts): the same
   * string from another terminal or session computes another one. Undefined where it
   * cannot be known.
   */
  sessionBinding(): string | undefined;
}

/**
 * Whether fd 0 is a terminal. node:tty is loaded on this first question, not at start-up:
 * with net and diagnostics_channel beneath it, it costs `credential get`, which never
 * asks, about 2 ms.
 */
function stdinIsTerminal(): boolean {
  return (createRequire(import.meta.url)('node:tty') as { isatty: typeof isatty }).isatty(0);
}

/** An output stream: stdout or stderr. */
type Output = Writable & { isTTY?: boolean };

/**
 * `stream` with what every output of ours needs: a reader that goes away early
 * (`agent-vault help | head -1`) is not an error of ours; stop writing to it, as cat
 * and git do, instead of crashing on EPIPE.
 */
function ignoringEpipe(stream: Output): Output {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  return stream;
}

class StreamIO implements IO {
  private stdinUsedFor: string | undefined;
  private stdinStream: (Readable & { isTTY?: boolean }) | undefined;
  private noColorFlag = false;
  private stdinTTY: boolean | undefined;
  private stdoutStream: Output | undefined;
  private stderrStream: Output | undefined;

  /**
   * `openStdin` is called only when stdin is read or prompted on: creating
   * process.stdin costs milliseconds that `credential get` need not spend.
   * `stdinIsTTY`, `openStdout` and `openStderr` likewise, when first needed: a read
   * that succeeds never makes process.stderr (a terminal's would load node:tty).
   */
  constructor(
    private readonly openStdin: () => Readable & { isTTY?: boolean },
    private readonly stdinIsTTY: () => boolean,
    private readonly openStdout: () => Output,
    private readonly openStderr: () => Output,
    readonly env: NodeJS.ProcessEnv,
    readonly passphraseFromEnv: string | undefined,
    readonly sessionFromEnv: string | undefined,
    private readonly clock: () => Date,
    private readonly reexecute: () => Promise<void> = async () => {},
    private readonly binding: () => string | undefined = terminalBinding,
  ) {}

  get stdout(): Output {
    this.stdoutStream ??= ignoringEpipe(this.openStdout());
    return this.stdoutStream;
  }

  get stderr(): Output {
    this.stderrStream ??= ignoringEpipe(this.openStderr());
    return this.stderrStream;
  }

  get stdin(): Readable & { isTTY?: boolean } {
    this.stdinStream ??= this.openStdin();
    return this.stdinStream;
  }

  get isStdinTTY(): boolean {
    this.stdinTTY ??= this.stdinIsTTY();
    return this.stdinTTY;
  }

  get isStdoutTTY(): boolean {
    return this.stdout.isTTY === true;
  }

  get isStderrTTY(): boolean {
    return this.stderr.isTTY === true;
  }

  out(text: string): void {
    this.stdout.write(text);
  }

  err(text: string): void {
    this.stderr.write(text);
  }

  async readStdin(purpose: string): Promise<Buffer> {
    if (this.stdinUsedFor !== undefined) {
      throw new UsageError(`stdin cannot give both ${this.stdinUsedFor} and ${purpose}`, 'read one of them from a file instead');
    }
    this.stdinUsedFor = purpose;
    const chunks: Buffer[] = [];
    for await (const chunk of this.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }

  canPrompt(): boolean {
    return this.isStdinTTY && this.isStderrTTY;
  }

  now(): Date {
    return this.clock();
  }

  dropSecretsFromEnviron(): Promise<void> {
    return this.reexecute();
  }

  sessionBinding(): string | undefined {
    return this.binding();
  }

  quietPromptColour(): void {
    this.noColorFlag = true;
  }

  async prompter(): Promise<Prompter> {
    const inquirer = await import('@inquirer/prompts');
    const context = { input: this.stdin, output: this.stderr, clearPromptOnDone: false };
    const theme = promptColour(this.env, this.noColorFlag) ? {} : { theme: PLAIN_THEME };
    const guard = async <T>(ask: () => Promise<T>): Promise<T> => {
      try {
        return await ask();
      } catch (err) {
        if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) throw new CancelledError('cancelled');
        throw err;
      }
    };
    // A question may quote a name an agent wrote: it must not drive the terminal.
    const shown = (message: string): string => escapeControls(message);
    return {
      password: (message) => guard(() => inquirer.password({ message: shown(message), mask: '*', ...theme }, context)),
      input: (message, options) => guard(() => inquirer.input({ message: shown(message), ...(options?.default === undefined ? {} : { default: options.default }), ...theme }, context)),
      confirm: (message, options) => guard(() => inquirer.confirm({ message: shown(message), default: options?.default ?? false, ...theme }, context)),
      select: (message, choices) => guard(() => inquirer.select({ message: shown(message), choices: choices.map((value) => ({ value, name: shown(value) })), ...theme }, context)),
      editor: async (message) => {
        // Not inquirer's own editor prompt: it writes the text in the shared temp
        // directory, hands the editor this process's whole environment (a token, the
        // passphrase file's path) and leaves the file behind on a signal. cli/editor.ts does none of that.
        this.err(`${shown(message)}: opening the editor; save and quit it when done\n`);
        const { editText } = await import('./editor.js');
        const text = await editText(this, '', 'notes.txt');
        return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
      },
    };
  }
}

/**
 * The process's own streams and environment. Takes AGENT_VAULT_PASSPHRASE out of
 * `process.env`. In a process that re-executed itself to drop the token and the
 * passphrase from its environment, takes them back from the holder instead; the token
 * then lives in `process.env` only, which /proc does not show.
 */
export async function systemIO(): Promise<IO> {
  const holder = process.env[HOLDER_VARIABLE];
  delete process.env[HOLDER_VARIABLE];
  const handedOver = holder === undefined ? undefined : await takeHeldValues(holder);
  const inEnviron: Record<string, string> = {};
  for (const name of HANDED_OVER) if (handedOver === undefined && process.env[name]) inEnviron[name] = process.env[name];
  const passphrase = handedOver === undefined ? process.env.AGENT_VAULT_PASSPHRASE : handedOver.AGENT_VAULT_PASSPHRASE;
  delete process.env.AGENT_VAULT_PASSPHRASE;
  // Taken out for the same reason: whatever agent-vault starts (exec's child, gpg, a
  // hook) must not be able to act as the owner with the session string.
  const session = handedOver === undefined ? process.env.AGENT_VAULT_SESSION : handedOver.AGENT_VAULT_SESSION;
  delete process.env.AGENT_VAULT_SESSION;
  if (handedOver?.AGENT_VAULT_TOKEN !== undefined) process.env.AGENT_VAULT_TOKEN = handedOver.AGENT_VAULT_TOKEN;
  const reexecute = async (): Promise<void> => {
    if (Object.keys(inEnviron).length > 0 && canReexecute()) await reexecuteWithout(process.env, inEnviron);
  };
  return new StreamIO(() => process.stdin, stdinIsTerminal, () => process.stdout, () => process.stderr, process.env, passphrase, session, () => new Date(), reexecute);
}

/** What {@link testIO} returns: an IO whose output can be read back. */
export type TestIO = IO & { stdoutText(): string; stderrText(): string; stdoutBytes(): Buffer };

/**
 * An IO over in-memory streams, for tests: `stdoutText()`, `stderrText()` and
 * `stdoutBytes()` return what was written; `now` replaces the real clock, `binding` the
 * terminal an owner session is bound to.
 */
export function testIO(options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; tty?: boolean; now?: () => Date; binding?: string } = {}): TestIO {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.end(options.stdin ?? '');
  // Chunks are kept as bytes and joined at the end, so a character split across two
  // writes is not mangled and binary output can be compared byte for byte.
  const capture = (): PassThrough & { isTTY?: boolean; bytes(): Buffer } => {
    const chunks: Buffer[] = [];
    const stream = Object.assign(new PassThrough(), { bytes: () => Buffer.concat(chunks) }) as PassThrough & { isTTY?: boolean; bytes(): Buffer };
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return stream;
  };
  const stdout = capture();
  const stderr = capture();
  for (const s of [stdin, stdout, stderr]) s.isTTY = options.tty ?? false;
  const env = { ...options.env };
  const passphrase = env.AGENT_VAULT_PASSPHRASE;
  delete env.AGENT_VAULT_PASSPHRASE;
  const session = env.AGENT_VAULT_SESSION;
  delete env.AGENT_VAULT_SESSION;
  const binding = options.binding ?? 'test terminal';
  const io = new StreamIO(() => stdin, () => options.tty ?? false, () => stdout, () => stderr, env, passphrase, session, options.now ?? (() => new Date()), async () => {}, () => binding);
  return Object.assign(io, {
    stdoutText: () => stdout.bytes().toString('utf8'),
    stderrText: () => stderr.bytes().toString('utf8'),
    stdoutBytes: () => stdout.bytes(),
  });
}
