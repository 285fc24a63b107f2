/**
 * Fault injection at the store's write points, for tests only. Every file-system
 * mutation of the directory store (fs-ops.ts) first calls {@link faultPoint}; in the
 * test bundle (`dist/test/cli-faults.cjs`), `AGENT_VAULT_FAULT` then picks one of them
 * by its position in the process:
 *
 * - `kill:N`: SIGKILL the process at the N-th write point, before it runs;
 * - `enospc:N`, `eio:N`, `eacces:N`: the N-th write point throws that errno error, as
 *   Node's own would (`code`, `errno`, `syscall`, `path`), without running;
 * - `short:N`: the N-th write point, if it writes data (`writeAll`), writes the first
 *   half of it and then throws ENOSPC, as a disk that fills up mid-write does (a batch
 *   of audit lines torn in the middle); any other point throws ENOSPC without running;
 * - `tear:N`: the N-th write point, if it writes data, writes the first half of it and
 *   then SIGKILLs the process, as a crash mid-write does (a batch of audit lines left
 *   as a prefix, the last torn, with nothing after it to cut it back); any other point
 *   is `kill:N`;
 * - `trace`: nothing fails.
 *
 * With `AGENT_VAULT_FAULT_TRACE=<file>` (any mode) each point reached, the faulted one
 * included, appends its label (`<syscall> <path>`) as one line to that file, so a
 * driver can count a command's write points and see where it stopped.
 *
 * `scripts/bundle.mjs` defines `__AGENT_VAULT_FAULTS__` as `false` for the shipped CLI,
 * so `faultPoint` is empty there and the rest of this module is dropped from the bundle
 * (`grep -c AGENT_VAULT_FAULT dist/cli.cjs` is 0), and as `true` for the test bundle.
 * Unbundled (the library in dist/, the sources under vitest) the global is undefined
 * and faults stay off.
 */
import { appendFileSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';

declare const __AGENT_VAULT_FAULTS__: boolean | undefined;

/** The errors `AGENT_VAULT_FAULT` can inject, by the name it spells them with. */
const ERRNO_CODES = { enospc: 'ENOSPC', eio: 'EIO', eacces: 'EACCES' } as const;

/** What `AGENT_VAULT_FAULT` asks for. */
export interface FaultPlan {
  /** What happens at point `at`: nothing (trace only), a SIGKILL, or an errno error. */
  action: 'trace' | 'kill' | 'short' | 'tear' | (typeof ERRNO_CODES)[keyof typeof ERRNO_CODES];
  /** The 1-based position of the faulted write point. */
  at: number;
  /** The file each label is appended to, if any. */
  traceFile: string | undefined;
}

/** Parses `AGENT_VAULT_FAULT` and `AGENT_VAULT_FAULT_TRACE`; undefined when no fault is asked for. */
export function parseFaultPlan(env: NodeJS.ProcessEnv): FaultPlan | undefined {
  const spec = env.AGENT_VAULT_FAULT;
  const traceFile = env.AGENT_VAULT_FAULT_TRACE || undefined;
  if (spec === undefined || spec === '') return traceFile ? { action: 'trace', at: 0, traceFile } : undefined;
  if (spec === 'trace') return { action: 'trace', at: 0, traceFile };
  const match = /^(kill|short|tear|enospc|eio|eacces):([1-9][0-9]*)$/.exec(spec);
  // A typo must not make a fault test pass by injecting nothing.
  if (!match) throw new Error(`AGENT_VAULT_FAULT=${spec}: expected trace, kill:N, short:N, tear:N, enospc:N, eio:N or eacces:N`);
  const name = match[1] as 'kill' | 'short' | 'tear' | keyof typeof ERRNO_CODES;
  return { action: name === 'kill' || name === 'short' || name === 'tear' ? name : ERRNO_CODES[name], at: Number(match[2]), traceFile };
}

/** An error like the one Node throws when `syscall` fails with `code` on `path`. */
export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const entry = [...getSystemErrorMap()].find(([, [name]]) => name === code);
  if (!entry) throw new Error(`unknown errno code ${code}`);
  const [errno, [, description]] = entry;
  return Object.assign(new Error(`${code}: ${description}, ${syscall} '${path}'`), { errno, code, syscall, path });
}

/**
 * What a data write is to do at a faulted point: write the first `bytes` of its data,
 * then throw ENOSPC (`short`) or be killed (`tear`): {@link faultAfterPart}.
 */
export interface PartialWrite {
  bytes: number;
  then: 'enospc' | 'kill';
}

/** Counts one process's write points and acts at the planned one. */
export class FaultInjector {
  private count = 0;

  constructor(
    private readonly plan: FaultPlan,
    private readonly kill: () => void = killNow,
  ) {}

  /**
   * Write point `syscall` on `path` is about to run; `length` is how much a data write
   * writes. Returns how much of it to write and what then (a short or torn write), or
   * undefined to run the point as it is.
   */
  point(syscall: string, path: string, length?: number): PartialWrite | undefined {
    this.count += 1;
    if (this.plan.traceFile) appendFileSync(this.plan.traceFile, `${syscall} ${path}\n`);
    const { action } = this.plan;
    if (this.count !== this.plan.at || action === 'trace') return undefined;
    const partial = length !== undefined && length > 1;
    if (action === 'kill' || (action === 'tear' && !partial)) this.kill();
    else if (action === 'short' && partial) return { bytes: Math.floor(length / 2), then: 'enospc' };
    else if (action === 'tear') return { bytes: Math.floor(length! / 2), then: 'kill' };
    else throw errnoError(action === 'short' ? 'ENOSPC' : action, syscall, path);
    return undefined;
  }
}

/** SIGKILL to this process, and wait for it: no later line of JavaScript may run. */
function killNow(): void {
  process.kill(process.pid, 'SIGKILL');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  throw new Error('SIGKILL was not delivered');
}

let injector: FaultInjector | null | undefined;

function inject(syscall: string, path: string, length?: number): PartialWrite | undefined {
  if (injector === undefined) {
    const plan = parseFaultPlan(process.env);
    injector = plan ? new FaultInjector(plan) : null;
  }
  return injector?.point(syscall, path, length);
}

/**
 * Called by every write point before its system call. A no-op unless this is the test
 * bundle; see the module comment. A data write passes its `length`, and gets back how
 * many bytes to write before {@link faultAfterPart} ends it, for `short:N` and `tear:N`.
 */
export function faultPoint(syscall: string, path: string, length?: number): PartialWrite | undefined {
  if (typeof __AGENT_VAULT_FAULTS__ !== 'undefined' && __AGENT_VAULT_FAULTS__) return inject(syscall, path, length);
  return undefined;
}

/** Ends a data write whose part {@link faultPoint} asked for: ENOSPC (`short`) or a SIGKILL (`tear`). */
export function faultAfterPart(partial: PartialWrite, syscall: string, path: string): never {
  if (partial.then === 'kill') killNow();
  throw errnoError('ENOSPC', syscall, path);
}
