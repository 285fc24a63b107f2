/**
 * Following over the audit interface alone: a backend that only lists and reads (no
 * watch hint) is polled; one that hints wakes the follower at once.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditReader, waitForAudit } from '../../../src/app/audit-follow.js';
import type { Session } from '../../../src/app/session.js';
import type { AuditLogPosition, AuditLogRef } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { buildLog } from '../format/audit-log-builder.js';

/** What the fake storage was asked to read: per call, the byte it started at and how many bytes it handed out. */
interface Reads {
  calls: Array<{ from: number; bytes: number }>;
}

/**
 * A session over an in-memory audit storage: `list`, and `stream` from a byte offset
 * (as the directory backend reads), and optionally `watch`.
 */
function fakeSession(logs: Map<string, { ref: AuditLogRef; text: string }>, watch?: (onChange: () => void) => () => void, reads: Reads = { calls: [] }): Session {
  const audit = {
    list: async () => [...logs.values()].map((l) => l.ref),
    stream: async (ref: AuditLogRef, from?: AuditLogPosition) => {
      const text = logs.get(ref.name)?.text;
      if (text === undefined) return { head: undefined, chunks: undefined };
      const rest = Buffer.from(text, 'utf8').subarray(from?.bytes ?? 0);
      reads.calls.push({ from: from?.bytes ?? 0, bytes: rest.length });
      return { head: undefined, chunks: (async function* one() { yield rest.toString('utf8'); })() };
    },
    ...(watch ? { watch } : {}),
  };
  return { tokenAgent: undefined, rootKey: async () => Buffer.alloc(32), store: { audit, describeLog: (l: AuditLogRef) => l.name } } as unknown as Session;
}

const agentRef = (agent: string): AuditLogRef => ({ kind: 'agent', name: `vaults/${agent}.audit.jsonl`, agent });

describe('AuditReader', () => {
  it('returns only what each pass finds new, whole lines only, and skips a log that appears retired', async () => {
    const { lines } = buildLog(4, undefined);
    const logs = new Map([['vaults/a.audit.jsonl', { ref: agentRef('a'), text: `${lines[0]}\n` }]]);
    const reader = new AuditReader(fakeSession(logs));
    expect((await reader.next({ skipExisting: true })).logs.flat()).toEqual([]);
    logs.get('vaults/a.audit.jsonl')!.text += `${lines[1]}\n${lines[2]!.slice(0, 10)}`;
    expect((await reader.next()).logs.flat().map((r) => r.seq)).toEqual([2]);
    logs.get('vaults/a.audit.jsonl')!.text = `${lines[0]}\n${lines[1]}\n${lines[2]}\n`;
    expect((await reader.next()).logs.flat().map((r) => [r.seq, r.log])).toEqual([[3, 'vaults/a.audit.jsonl']]);
    logs.set('vaults/b.audit.jsonl', { ref: agentRef('b'), text: `${lines[0]}\n` });
    logs.set('retired/c.x.audit.jsonl', { ref: { kind: 'retired', name: 'retired/c.x.audit.jsonl', agent: 'c' }, text: `${lines[0]}\n` });
    expect((await reader.next()).logs.flat().map((r) => r.log)).toEqual(['vaults/b.audit.jsonl']);
    reader.reset();
    expect((await reader.next()).logs.flat().map((r) => r.log)).toEqual(['vaults/a.audit.jsonl', 'vaults/a.audit.jsonl', 'vaults/a.audit.jsonl', 'vaults/b.audit.jsonl', 'retired/c.x.audit.jsonl']);
  });

  it('reads each pass from the last line it read, not from the start of the log', async () => {
    const { lines } = buildLog(1003, undefined);
    const logs = new Map([['vaults/a.audit.jsonl', { ref: agentRef('a'), text: lines.slice(0, 1000).map((l) => `${l}\n`).join('') }]]);
    const reads: Reads = { calls: [] };
    const reader = new AuditReader(fakeSession(logs, undefined, reads));
    await reader.next({ skipExisting: true });
    const whole = Buffer.byteLength(logs.get('vaults/a.audit.jsonl')!.text);
    for (const line of lines.slice(1000)) {
      logs.get('vaults/a.audit.jsonl')!.text += `${line}\n`;
      expect((await reader.next()).logs.flat().map((r) => r.seq)).toEqual([JSON.parse(line).seq]);
    }
    // Each later read began at the last line shown and handed out it and the new one.
    expect(reads.calls[0]).toEqual({ from: 0, bytes: whole });
    for (const call of reads.calls.slice(1)) expect(call.bytes).toBeLessThan(2 * (Buffer.byteLength(lines[0]!) + 20));
    expect(reads.calls[1]!.from).toBe(whole - Buffer.byteLength(lines[999]!) - 1);
  });

  it('refuses a log cut back, rewritten or not chaining under it (exit 6)', async () => {
    const { lines } = buildLog(5, undefined);
    const make = () => {
      const logs = new Map([['vaults/a.audit.jsonl', { ref: agentRef('a'), text: lines.slice(0, 3).map((l) => `${l}\n`).join('') }]]);
      return { logs, reader: new AuditReader(fakeSession(logs)) };
    };
    const exit6 = expect.objectContaining({ exitCode: 6 });
    const cut = make();
    await cut.reader.next();
    cut.logs.get('vaults/a.audit.jsonl')!.text = `${lines[0]}\n${lines[1]}\n`;
    await expect(cut.reader.next()).rejects.toEqual(exit6);
    // Cut by one line and the same number of bytes appended: the line read last is no longer there.
    const refilled = make();
    await refilled.reader.next();
    const other = buildLog(5, undefined, { event: { key: 'OTHER_K' } }).lines;
    refilled.logs.get('vaults/a.audit.jsonl')!.text = `${lines[0]}\n${lines[1]}\n${other[2]}\n${other[3]}\n`;
    await expect(refilled.reader.next()).rejects.toThrow(/rewritten/);
    // A line appended after a gap: seq 5 after seq 3.
    const gap = make();
    await gap.reader.next();
    gap.logs.get('vaults/a.audit.jsonl')!.text += `${lines[4]}\n`;
    await expect(gap.reader.next()).rejects.toThrow(/does not chain to seq 3/);
    // The same after a first pass that skipped what was there.
    const skipped = make();
    await skipped.reader.next({ skipExisting: true });
    skipped.logs.get('vaults/a.audit.jsonl')!.text += `${lines[4]}\n`;
    await expect(skipped.reader.next()).rejects.toThrow(/does not chain to seq 3/);
    // A line with the next seq that names another line before it (the first line's hash).
    const forged = make();
    await forged.reader.next();
    forged.logs.get('vaults/a.audit.jsonl')!.text += `${JSON.stringify({ ...JSON.parse(lines[3]!), prev: JSON.parse(lines[1]!).prev })}\n`;
    await expect(forged.reader.next()).rejects.toEqual(exit6);
  });

  it('counts damaged lines without returning them, and chains past a torn one', async () => {
    const { lines } = buildLog(3, undefined);
    const logs = new Map([['vaults/a.audit.jsonl', { ref: agentRef('a'), text: `not json\n${lines[0]}\n` }]]);
    const reader = new AuditReader(fakeSession(logs));
    const pass = await reader.next();
    expect(pass.damaged).toBe(1);
    expect(pass.logs.flat()).toHaveLength(1);
    // A crash tore a line; the next append ended it with a newline and chained to the line before.
    logs.get('vaults/a.audit.jsonl')!.text += `${lines[1]!.slice(0, 20)}\n${lines[1]}\n`;
    const after = await reader.next();
    expect({ damaged: after.damaged, seqs: after.logs.flat().map((r) => r.seq) }).toEqual({ damaged: 1, seqs: [2] });
  });
});

describe('AuditReader over a directory store', () => {
  it('follows on past a torn non-ASCII line: positions are the file\'s bytes, not the decoded text\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-vault-follow-'));
    try {
      const store = new DirectoryBackend(dir, 1000);
      const session = { tokenAgent: undefined, rootKey: async () => Buffer.alloc(32), store } as unknown as Session;
      const { lines } = buildLog(4, undefined, { event: { key: 'CAFÉ_KEY' } as never });
      const file = join(dir, 'vaults', 'a.audit.jsonl');
      mkdirSync(join(dir, 'vaults'), { mode: 0o700 });
      // A line torn by a crash inside "É" (its first byte only), which the next append ended with a newline.
      const line2 = Buffer.from(lines[1]!, 'utf8');
      const torn = line2.subarray(0, line2.indexOf(Buffer.from('É', 'utf8')) + 1);
      writeFileSync(file, Buffer.concat([Buffer.from(`${lines[0]}\n`), torn, Buffer.from(`\n${lines[1]}\n`)]), { mode: 0o600 });
      const reader = new AuditReader(session);
      const first = await reader.next();
      expect({ damaged: first.damaged, seqs: first.logs.flat().map((r) => r.seq) }).toEqual({ damaged: 1, seqs: [1, 2] });
      for (const line of lines.slice(2)) {
        appendFileSync(file, `${line}\n`);
        expect((await reader.next()).logs.flat().map((r) => r.seq)).toEqual([JSON.parse(line).seq]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('waitForAudit', () => {
  it('wakes at the backend\'s hint, and stops watching', async () => {
    let stopped = false;
    let hint: (() => void) | undefined;
    const session = fakeSession(new Map(), (onChange) => {
      hint = onChange;
      return () => (stopped = true);
    });
    const waiting = waitForAudit(session, new AbortController().signal, 60_000);
    hint!();
    await waiting;
    expect(stopped).toBe(true);
  });

  it('without a hint, returns after the poll interval it is given, or at once when aborted', async () => {
    const session = fakeSession(new Map());
    await expect(waitForAudit(session, new AbortController().signal, 1)).resolves.toBeUndefined();
    const stop = new AbortController();
    let settled = false;
    const waiting = waitForAudit(session, stop.signal, 60_000).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    stop.abort();
    await waiting;
    expect(settled).toBe(true);
  });
});
