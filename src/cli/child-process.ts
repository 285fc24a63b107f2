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
import { PassThrough, type Readable, type Writable } from 'node:stream';
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
  /** Values to replace with `****` in the child's stdout and stderr, each and across the two. */
  mask?: string[];
  stdout: Writable;
  stderr: Writable;
  /** Whether stdin is a terminal: then the terminal's own signals are not forwarded. */
  interactive: boolean;
}

/** Writes `piece`, resolving once `out` can take more (or is gone). */
function write(out: PassThrough, piece: Buffer): Promise<void> {
  if (piece.length === 0 || out.destroyed || out.writableEnded || out.write(piece)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done).off('close', done);
      resolve();
    };
    out.on('drain', done).on('close', done);
  });
}

/** Our reader stopped reading the child's pipe early (we destroyed it); not an error. */
const closedEarly = (err: unknown): boolean => ['ERR_STREAM_PREMATURE_CLOSE', 'ABORT_ERR'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * Copies the child's stdout and stderr through one masker, so that a value is found in
 * either stream and also split across the two in the order their bytes arrive (see
 * core/mask.ts), each byte still going to the stream it came from. If our reader of
 * one stream goes away (`exec --mask … | head`), the child's pipe of that stream is
 * closed too, so the child meets a closed pipe just as it would without agent-vault in
 * between; that is not an error of ours.
 */
async function pumpMasked(sources: readonly Readable[], targets: readonly Writable[], values: string[]): Promise<void> {
  const masker = new Masker(values, sources.length);
  const outs = targets.map(() => new PassThrough());
  const delivered = outs.map((out, i) =>
    pipeline(out, targets[i]!, { end: false }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      sources[i]!.destroy();
    }),
  );
  const send = async (pieces: Buffer[]): Promise<void> => {
    await Promise.all(pieces.map((piece, i) => write(outs[i]!, piece)));
  };
  await Promise.all(
    sources.map(async (source, i) => {
      try {
        for await (const chunk of source) await send(masker.push(i, chunk as Buffer));
      } catch (err) {
        if (!closedEarly(err)) throw err;
      }
      // At the end of each stream, so that what the other one still holds is decided.
      await send(masker.end(i));
    }),
  );
  for (const out of outs) out.end();
  await Promise.all(delivered);
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
    const pumps = masked && child.stdout && child.stderr ? [pumpMasked([child.stdout, child.stderr], [options.stdout, options.stderr], options.mask!)] : [];
    // A pump may fail before the child ends; it is awaited below, not left unhandled.
    for (const pump of pumps) pump.catch(() => {});
    const outcome = await ended;
    await Promise.all(pumps);
    return outcome;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}
