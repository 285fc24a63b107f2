/**
 * Runs the child of `exec`: its own program and arguments as given (no shell), the
 * environment it is handed, the terminal's stdin. SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * sent to agent-vault are passed on, and the child's exit status comes back as a shell
 * would report it (128 + n for a child killed by signal n).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Masker } from '../core/mask.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** How a child ended: its exit status, or why it could not start. */
export type ChildOutcome = { status: number } | { failed: 'not_found' | 'not_executable' };

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  /** Values to replace with `****` in the child's stdout and stderr. */
  mask?: string[];
  stdout: Writable;
  stderr: Writable;
}

async function pumpMasked(from: Readable, to: Writable, values: string[]): Promise<void> {
  const masker = new Masker(values);
  const write = async (bytes: Buffer): Promise<void> => {
    if (bytes.length > 0 && !to.write(bytes)) await once(to, 'drain');
  };
  for await (const chunk of from) await write(masker.push(chunk as Buffer));
  await write(masker.flush());
}

/** Starts `program args…` and resolves when it has ended and its output is written. */
export async function runChild(program: string, args: string[], options: ChildOptions): Promise<ChildOutcome> {
  const masked = options.mask !== undefined;
  // Listen before spawning: the handler must be in place before the child can run, or
  // a signal landing in between would kill agent-vault and orphan the child. Signal
  // events are dispatched from the event loop, so by then the child is assigned.
  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals): void => {
    child?.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    child = spawn(program, args, { env: options.env, stdio: ['inherit', masked ? 'pipe' : 'inherit', masked ? 'pipe' : 'inherit'] });
    const started = child;
    const ended = new Promise<ChildOutcome>((resolve) => {
      started.once('error', (err: NodeJS.ErrnoException) => resolve({ failed: err.code === 'ENOENT' ? 'not_found' : 'not_executable' }));
      started.once('exit', (code, signal) => resolve({ status: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0) }));
    });
    const pumps = masked && child.stdout && child.stderr ? [pumpMasked(child.stdout, options.stdout, options.mask!), pumpMasked(child.stderr, options.stderr, options.mask!)] : [];
    const outcome = await ended;
    await Promise.all(pumps);
    return outcome;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}
