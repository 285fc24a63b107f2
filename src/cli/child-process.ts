/**
 * Runs the child of `exec`: its own program and arguments as given (no shell), the
 * environment it is handed, the terminal's stdin. SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * sent to agent-vault are passed on, and the child's exit status comes back as a shell
 * would report it (128 + n for a child killed by signal n). On a terminal, Ctrl-C and
 * Ctrl-\ already reach the child (it shares the foreground process group), so those
 * two are not sent again: programs that take a second interrupt as "quit now" would.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Masker } from '../core/mask.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
const FROM_TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/**
 * How a child ended: its exit status, or why it could not start (`too_big`: its
 * environment and arguments together are over the kernel's limit, E2BIG).
 */
export type ChildOutcome = { status: number } | { failed: 'not_found' | 'not_executable' | 'too_big' };

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  /** Values to replace with `****` in the child's stdout and stderr. */
  mask?: string[];
  stdout: Writable;
  stderr: Writable;
  /** Whether stdin is a terminal: then the terminal's own signals are not forwarded. */
  interactive: boolean;
}

/**
 * Copies the child's output through the masker. If our reader goes away (`exec --mask
 * … | head`), the pipeline closes the child's pipe too, so the child meets a closed pipe
 * just as it would without agent-vault in between; that is not an error of ours.
 */
async function pumpMasked(from: Readable, to: Writable, values: string[]): Promise<void> {
  const masker = new Masker(values);
  const masking = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, masker.push(chunk));
    },
    flush(done) {
      done(null, masker.flush());
    },
  });
  try {
    await pipeline(from, masking, to, { end: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
  }
}

/** Starts `program args…` and resolves when it has ended and its output is written. */
export async function runChild(program: string, args: string[], options: ChildOptions): Promise<ChildOutcome> {
  const masked = options.mask !== undefined;
  // Listen before spawning: the handler must be in place before the child can run, or
  // a signal landing in between would kill agent-vault and orphan the child. Signal
  // events are dispatched from the event loop, so by then the child is assigned.
  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals): void => {
    if (!(options.interactive && FROM_TERMINAL.includes(signal))) child?.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    try {
      child = spawn(program, args, { env: options.env, stdio: ['inherit', masked ? 'pipe' : 'inherit', masked ? 'pipe' : 'inherit'] });
    } catch (err) {
      // Node throws this one instead of emitting it; the caller names what to leave out.
      if ((err as NodeJS.ErrnoException).code === 'E2BIG') return { failed: 'too_big' };
      throw err;
    }
    const started = child;
    const ended = new Promise<ChildOutcome>((resolve) => {
      started.once('error', (err: NodeJS.ErrnoException) => resolve({ failed: err.code === 'ENOENT' ? 'not_found' : 'not_executable' }));
      started.once('exit', (code, signal) => resolve({ status: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0) }));
    });
    const pumps = masked && child.stdout && child.stderr ? [pumpMasked(child.stdout, options.stdout, options.mask!), pumpMasked(child.stderr, options.stderr, options.mask!)] : [];
    // A pump may fail before the child ends; it is awaited below, not left unhandled.
    for (const pump of pumps) pump.catch(() => {});
    const outcome = await ended;
    await Promise.all(pumps);
    return outcome;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}
