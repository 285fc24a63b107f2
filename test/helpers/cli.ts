/**
 * End-to-end harness: a temporary store with a cheap Argon2 cost (set through init's
 * own flags), and a runner that spawns the built CLI with piped stdio: the shipped
 * bundle, or the test bundle with fault injection (`runWithFault`, `bin: FAULT_BIN`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

/** Spawns `agent-vault args…` and waits for it. The environment is only what is passed. */
export function run(args: string[], options: RunOptions & { baseEnv: NodeJS.ProcessEnv }): Promise<RunResult> {
  const argv = [options.bin ?? BIN, ...args];
  if (options.umask !== undefined && !/^0[0-7]{3}$/.test(options.umask)) throw new Error(`not a umask: ${options.umask}`);
  const [command, commandArgs] =
    options.umask === undefined ? [process.execPath, argv] : ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...argv]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      env: { PATH: process.env.PATH, ...options.baseEnv, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeout === undefined ? {} : { timeout: options.timeout, killSignal: 'SIGKILL' as const }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
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

export const PASSPHRASE = 'correct horse battery staple';
/** The cheapest Argon2id cost init accepts, so tests stay fast. */
export const CHEAP_KDF = ['--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'];

/** A temporary store; `owner` runs with the passphrase file, `agent` with a token. */
export class TempStore {
  readonly root: string;
  readonly dir: string;
  readonly passphraseFile: string;
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'agent-vault-test-'));
    this.dir = join(this.root, 'store');
    this.passphraseFile = join(this.root, 'passphrase');
    writeFileSync(this.passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    this.env = {
      HOME: join(this.root, 'home'),
      AGENT_VAULT_HOME: this.dir,
      XDG_CONFIG_HOME: join(this.root, 'config'),
      XDG_DATA_HOME: join(this.root, 'data'),
    };
  }

  /** Runs the CLI against this store with no credentials in the environment. */
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run(args, { ...options, baseEnv: this.env });
  }

  /** Runs as the owner (passphrase from a file). */
  owner(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.run(args, { ...options, env: { AGENT_VAULT_PASSPHRASE_FILE: this.passphraseFile, ...options.env } });
  }

  /** Runs as an agent with `token`. */
  agent(token: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.run(args, { ...options, env: { AGENT_VAULT_TOKEN: token, ...options.env } });
  }

  async init(): Promise<void> {
    const result = await this.owner(['init', ...CHEAP_KDF]);
    if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`);
  }

  /** Provisions `agent` and returns its token. */
  async provision(agent: string): Promise<string> {
    const result = await this.owner(['provision', agent]);
    if (result.code !== 0) throw new Error(`provision failed: ${result.stderr}`);
    return result.stdout.trim();
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
