/**
 * The fault-injection mechanism of src/store/fault.ts, in process: which write point
 * it picks, what it throws there, and what it traces. (test/e2e/faults.test.ts runs the
 * test bundle, where a kill is a real SIGKILL.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errnoError, FaultInjector, parseFaultPlan } from '../../../src/store/fault.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent-vault-fault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `points` write points through an injector for `spec`; which ran, and how it ended. */
function drive(spec: string, points: number, traceFile?: string): { ran: number[]; killedAt?: number; error?: NodeJS.ErrnoException } {
  const plan = parseFaultPlan({ AGENT_VAULT_FAULT: spec, ...(traceFile ? { AGENT_VAULT_FAULT_TRACE: traceFile } : {}) })!;
  let killed = false;
  const injector = new FaultInjector(plan, () => {
    killed = true;
    throw new Error('killed');
  });
  const ran: number[] = [];
  for (let current = 1; current <= points; current++) {
    try {
      injector.point('write', `/store/file${current}`);
    } catch (err) {
      if (killed) return { ran, killedAt: current };
      return { ran, error: err as NodeJS.ErrnoException };
    }
    ran.push(current);
  }
  return { ran };
}

describe('fault injection', () => {
  it('kills at the N-th write point, before it runs', () => {
    expect(drive('kill:3', 5)).toEqual({ ran: [1, 2], killedAt: 3 });
    expect(drive('kill:1', 5)).toEqual({ ran: [], killedAt: 1 });
    expect(drive('kill:9', 5)).toEqual({ ran: [1, 2, 3, 4, 5] });
  });

  it('throws an errno error like Node at the N-th write point, and lets the others run', () => {
    const { ran, error } = drive('enospc:2', 4);
    expect(ran).toEqual([1]);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'ENOSPC', errno: -28, syscall: 'write', path: '/store/file2', message: "ENOSPC: no space left on device, write '/store/file2'" });
    expect(drive('eio:1', 2).error).toMatchObject({ code: 'EIO', message: "EIO: i/o error, write '/store/file1'" });
    expect(drive('eacces:2', 2).error).toMatchObject({ code: 'EACCES', message: "EACCES: permission denied, write '/store/file2'" });
  });

  it('short:N cuts the N-th data write to half its length, and fails a point without data with ENOSPC', () => {
    const plan = parseFaultPlan({ AGENT_VAULT_FAULT: 'short:2' })!;
    const injector = new FaultInjector(plan, () => {
      throw new Error('not a kill');
    });
    expect(injector.point('write', '/store/log', 101)).toBeUndefined();
    expect(injector.point('write', '/store/log', 101)).toEqual({ bytes: 50, then: 'enospc' });
    expect(injector.point('write', '/store/log', 101)).toBeUndefined();
    const other = new FaultInjector(plan);
    other.point('open', '/store/log');
    expect(() => other.point('rename', '/store/log')).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'rename' }));
  });

  it('tear:N writes half of the N-th data write and then kills, and kills at a point without data', () => {
    let kills = 0;
    const injector = new FaultInjector(parseFaultPlan({ AGENT_VAULT_FAULT: 'tear:2' })!, () => {
      kills += 1;
    });
    expect(injector.point('write', '/store/log', 101)).toBeUndefined();
    expect(injector.point('write', '/store/log', 101)).toEqual({ bytes: 50, then: 'kill' });
    expect(kills).toBe(0);
    const other = new FaultInjector(parseFaultPlan({ AGENT_VAULT_FAULT: 'tear:1' })!, () => {
      kills += 1;
    });
    other.point('rename', '/store/log');
    expect(kills).toBe(1);
  });

  it('builds the same error Node builds for the same failure', () => {
    let real: NodeJS.ErrnoException | undefined;
    try {
      readFileSync(join(dir, 'missing'));
    } catch (err) {
      real = err as NodeJS.ErrnoException;
    }
    const made = errnoError('ENOENT', 'open', join(dir, 'missing'));
    expect({ message: made.message, code: made.code, errno: made.errno, syscall: made.syscall, path: made.path }).toEqual({
      message: real!.message,
      code: real!.code,
      errno: real!.errno,
      syscall: real!.syscall,
      path: real!.path,
    });
  });

  it('traces the label of every write point reached, the faulted one last', () => {
    const trace = join(dir, 'trace');
    drive('trace', 3, trace);
    expect(readFileSync(trace, 'utf8')).toBe('write /store/file1\nwrite /store/file2\nwrite /store/file3\n');
    const killed = join(dir, 'killed');
    drive('kill:2', 3, killed);
    expect(readFileSync(killed, 'utf8')).toBe('write /store/file1\nwrite /store/file2\n');
  });

  it('refuses a spec it does not understand, rather than injecting nothing', () => {
    for (const spec of ['kill', 'kill:0', 'kill:-1', 'enospc:x', 'sigkill:3', 'kill:3 ', 'short', 'short:0', 'tear', 'tear:0']) {
      expect(() => parseFaultPlan({ AGENT_VAULT_FAULT: spec }), spec).toThrow(/AGENT_VAULT_FAULT/);
    }
    expect(parseFaultPlan({})).toBeUndefined();
    expect(parseFaultPlan({ AGENT_VAULT_FAULT_TRACE: join(dir, 't') })).toMatchObject({ action: 'trace' });
  });
});
