/**
 * A write of audit lines that fails part-way is cut back to where the log ended; when
 * the cut fails too, what man 5 (Appending) says happens: the whole lines stay and the
 * next append takes them as a lagging head's, and audit verify reports only the torn one.
 * The write and the cut are failed through the store's write points (fs-ops.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../src/core/audit-event.js';
import { planAuditBatch } from '../../../src/format/audit-append.js';
import { checkAuditLog } from '../../../src/format/audit-chain.js';
import { parseAuditLine, type AuditKeyring } from '../../../src/format/audit-line.js';
import { agentLog } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { errnoError } from '../../../src/store/fault.js';
import * as fsOps from '../../../src/store/fs-ops.js';

/** Which failures the next write of a log's lines meets: half its bytes written then ENOSPC, and the cut back failing with EIO. */
const failing = { write: false, cut: false };

vi.mock('../../../src/store/fs-ops.js', async (importOriginal) => {
  const real = await importOriginal<typeof fsOps>();
  return {
    ...real,
    writeAll: (fd: number, path: string, data: Uint8Array): void => {
      if (!failing.write || !path.endsWith('.audit.jsonl')) return real.writeAll(fd, path, data);
      real.writeAll(fd, path, data.subarray(0, Math.floor(data.length / 2)));
      throw errnoError('ENOSPC', 'write', path);
    },
    truncate: (fd: number, path: string, length: number): void => {
      if (failing.cut) throw errnoError('EIO', 'ftruncate', path);
      real.truncate(fd, path, length);
    },
  };
});

const keyring: AuditKeyring = { keys: [randomBytes(32)] };
const LOG = agentLog('bot1');
const events: AuditEvent[] = ['A', 'B', 'C', 'D'].map((key) => ({ actor: 'owner', agent: 'bot1', action: 'credential.set', key, result: 'ok' }));

describe('a failed write of audit lines', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-cut-'));
    failing.write = false;
    failing.cut = false;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const append = (list: AuditEvent[]): Promise<boolean> =>
    new DirectoryBackend(dir, 1000).audit.append(LOG, async (tail) => {
      const plan = await planAuditBatch(tail, list, { now: new Date(), pid: 7, host: 'test', keyring });
      return plan === 'superseded' ? undefined : plan;
    });
  const text = (): string => readFileSync(join(dir, 'vaults', 'bot1.audit.jsonl'), 'utf8');
  const verdict = async () => {
    const { text: log, head } = await new DirectoryBackend(dir, 1000).audit.read(LOG);
    return { problems: checkAuditLog(log, head, { keyring, requireKeyed: true }).problems, seqs: log!.split('\n').slice(0, -1).map((l) => (l.startsWith('{"v":1') && l.endsWith('}') ? parseAuditLine(l).seq : 'torn')) };
  };

  it('is cut back to where the log ended, so the log keeps none of it', async () => {
    await append(events.slice(0, 1));
    const before = text();
    failing.write = true;
    await expect(append(events)).rejects.toThrow(/ENOSPC/);
    expect(text()).toBe(before);
    failing.write = false;
    await append(events.slice(0, 1));
    expect(await verdict()).toEqual({ problems: [], seqs: [1, 2] });
  });

  it('keeps its whole lines when the cut back fails, and the next append takes them as the head lagging behind', async () => {
    await append(events.slice(0, 1));
    failing.write = true;
    failing.cut = true;
    await expect(append(events.slice(0, 3))).rejects.toThrow(/ENOSPC/);
    failing.write = false;
    failing.cut = false;
    // Half of three lines: the first whole line of the failed write and part of its second stay.
    expect(text().split('\n')).toHaveLength(3);
    await append(events.slice(0, 1));
    expect(await verdict()).toEqual({ problems: [{ line: 3, message: expect.stringMatching(/torn by a crash/) }], seqs: [1, 2, 'torn', 3] });
  });
});
