/**
 * In-process harness: the same temporary store and methods as `cli.ts`'s `TempStore`,
 * but each run calls `main(argv, testIO(…))` in this process instead of spawning the
 * built CLI, with a clock the test can set and move forward. A test file moves from
 * one harness to the other by changing its import.
 *
 * What a run cannot change here: the process's stdio (an `exec` child without
 * `--mask` writes to the test runner's own stdout), its signals, its working
 * directory, and its pid (lock files and temporary names carry it, so two runs at once
 * in one process are not two processes: concurrency stays in the spawned tests).
 */
import { main } from '../../src/main.js';
import { testIO } from '../../src/cli/io.js';
import { CHEAP_KDF, PASSPHRASE, TempStoreBase } from './temp-store.js';

export { CHEAP_KDF, PASSPHRASE };

/** What a run left behind, as the spawned harness reports it (there is no signal). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** How one run is started: stdin's bytes, extra environment, and whether it is on a terminal. */
export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Whether stdin, stdout and stderr look like a terminal (default: not). */
  tty?: boolean;
  /** The terminal an owner session is bound to (default: the same for every run). */
  binding?: string;
  /** `false` runs a fast form of cli/fast-path.ts through commander instead (default: as the CLI does). */
  fastPath?: boolean;
}

/**
 * The clock every run of one store sees. It runs on with real time from wherever it was
 * put, so events keep their order; `set` and `advance` move it without waiting.
 */
export class TestClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** From now on the clock reads `when`, and runs on from there. */
  set(when: Date | string | number): void {
    this.offsetMs = new Date(when).getTime() - Date.now();
  }

  /** Moves the clock `ms` milliseconds forward (backward if negative). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Runs `agent-vault args…` in process. The environment is only what is passed, plus PATH. */
export async function run(args: string[], options: RunOptions & { baseEnv: NodeJS.ProcessEnv; clock?: TestClock }): Promise<RunResult> {
  // A fresh object per run: a command that edits its environment (as systemIO takes
  // the passphrase out) must not leak into the next run, nor into process.env.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...options.baseEnv, ...options.env };
  const clock = options.clock;
  const io = testIO({
    env,
    ...(options.input === undefined ? {} : { stdin: options.input }),
    ...(options.tty === undefined ? {} : { tty: options.tty }),
    ...(options.binding === undefined ? {} : { binding: options.binding }),
    ...(clock === undefined ? {} : { now: () => clock.now() }),
  });
  const code = await main(['node', 'agent-vault', ...args], io, options.fastPath === undefined ? {} : { fastPath: options.fastPath });
  const stdoutBytes = io.stdoutBytes();
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: io.stderrText(), stdoutBytes };
}

/** A temporary store whose commands run in process. */
export class TempStore extends TempStoreBase<RunOptions, RunResult> {
  readonly clock = new TestClock();

  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run(args, { ...options, baseEnv: this.env, clock: this.clock });
  }
}
