/**
 * End-to-end harness: a temporary store with a cheap Argon2 cost (set through init's
 * own flags), and a runner that spawns the built CLI with piped stdio: the shipped
 * bundle, or the test bundle with fault injection (`runWithFault`, `bin: FAULT_BIN`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { CHEAP_KDF, PASSPHRASE, TempStoreBase } from './temp-store.js';

export const BIN = resolve(import.meta.dirname, '../../bin/agent-vault.cjs');
/** The test-only CLI bundle with the write points' fault injection compiled in (src/store/fault.ts). */
export const FAULT_BIN = resolve(import.meta.dirname, '../../dist/test/cli-faults.cjs');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The script to run instead of bin/agent-vault.cjs (FAULT_BIN). */
  bin?: string;
  /** A umask for the process, set by a shell before it starts node (`0277`). */
  umask?: string;
  /** Milliseconds after which the process is killed (SIGKILL): for a run that might hang. */
  timeout?: number;
}

/** How long {@link Background.waitFor} waits by default: generous, for a loaded machine. */
const WAIT_MS = 60_000;

/** A CLI process started without waiting for it: its output so far, and its end. */
export interface Background {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Whether the process has ended (closed its output). */
  ended(): boolean;
  /** The run's result, once the process has ended. */
  readonly done: Promise<RunResult>;
  /**
   * Resolves with the output once `text` has appeared in it, or `text` (a function) says
   * it holds what is waited for (stdout and stderr both, unless `stream` names one);
   * rejects if the process ends first, or after `ms`.
   */
  waitFor(text: string | RegExp | ((output: string) => boolean), options?: { stream?: 'stdout' | 'stderr'; ms?: number }): Promise<string>;
}

/** Spawns `agent-vault args…` without waiting for it. The environment is only what is passed; stdin gets `input` and is closed. */
export function start(args: string[], options: RunOptions & { baseEnv: NodeJS.ProcessEnv }): Background {
  const argv = [options.bin ?? BIN, ...args];
  if (options.umask !== undefined && !/^0[0-7]{3}$/.test(options.umask)) throw new Error(`not a umask: ${options.umask}`);
  const [command, commandArgs] =
    options.umask === undefined ? [process.execPath, argv] : ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...argv]];
  const child = spawn(command, commandArgs, {
    env: { PATH: process.env.PATH, ...options.baseEnv, ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.timeout === undefined ? {} : { timeout: options.timeout, killSignal: 'SIGKILL' as const }),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', (c: Buffer) => {
    out.push(c);
    wake();
  });
  child.stderr.on('data', (c: Buffer) => {
    err.push(c);
    wake();
  });
  let closed = false;
  const done = new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      closed = true;
      wake();
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  const stdout = (): string => Buffer.concat(out).toString('utf8');
  const stderr = (): string => Buffer.concat(err).toString('utf8');
  const waitFor: Background['waitFor'] = (text, { stream, ms = WAIT_MS } = {}) =>
    new Promise((resolvePromise, reject) => {
      const seen = (): string => (stream === 'stdout' ? stdout() : stream === 'stderr' ? stderr() : stdout() + stderr());
      const timer = setTimeout(() => finish(new Error(`no ${String(text)} within ${ms} ms; stdout: ${stdout()}; stderr: ${stderr()}`)), ms);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolvePromise(seen());
      };
      const check = (): void => {
        const output = seen();
        if (typeof text === 'string' ? output.includes(text) : typeof text === 'function' ? text(output) : text.test(output)) finish();
        else if (closed) finish(new Error(`ended before ${String(text)}; stdout: ${stdout()}; stderr: ${stderr()}`));
      };
      waiters.add(check);
      check();
    });
  return { child, stdout, stderr, ended: () => closed, done, waitFor };
}

/** Spawns `agent-vault args…` and waits for it. The environment is only what is passed. */
export function run(args: string[], options: RunOptions & { baseEnv: NodeJS.ProcessEnv }): Promise<RunResult> {
  return start(args, options).done;
}

/**
 * Spawns the fault-injection bundle with `AGENT_VAULT_FAULT=fault` (`kill:N`,
 * `enospc:N`, `eio:N`, `eacces:N` or `trace`) and, with `trace`, the labels of the
 * write points it reached written to that file, one per line.
 */
export function runWithFault(args: string[], fault: string, options: RunOptions & { baseEnv: NodeJS.ProcessEnv; trace?: string }): Promise<RunResult> {
  const env = { ...options.env, AGENT_VAULT_FAULT: fault, ...(options.trace === undefined ? {} : { AGENT_VAULT_FAULT_TRACE: options.trace }) };
  return run(args, { ...options, bin: FAULT_BIN, env });
}

export { CHEAP_KDF, PASSPHRASE };

/** A temporary store whose commands run as spawned processes. */
export class TempStore extends TempStoreBase<RunOptions, RunResult> {
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run(args, { ...options, baseEnv: this.env });
  }

  /** Starts a command without waiting for it (as `run`, with no credentials but those in `options.env`). */
  start(args: string[], options: RunOptions = {}): Background {
    return start(args, { ...options, baseEnv: this.env });
  }
}
