/**
 * Following over the audit interface alone: a backend that only lists and reads (no
 * watch hint) is polled; one that hints wakes the follower at once.
 */
import { describe, expect, it } from 'vitest';
import { AuditReader, waitForAudit } from '../../../src/app/audit-follow.js';
import type { Session } from '../../../src/app/session.js';
import type { AuditLogRef } from '../../../src/store/backend.js';
import { buildLog } from '../format/audit-log-builder.js';

/** A session over an in-memory audit storage: just `list` and `read`, and optionally `watch`. */
function fakeSession(logs: Map<string, { ref: AuditLogRef; text: string }>, watch?: (onChange: () => void) => () => void): Session {
  const audit = {
    list: async () => [...logs.values()].map((l) => l.ref),
    read: async (ref: AuditLogRef) => ({ text: logs.get(ref.name)?.text, head: undefined }),
    ...(watch ? { watch } : {}),
  };
  return { tokenAgent: undefined, rootKey: async () => Buffer.alloc(32), store: { audit } } as unknown as Session;
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
    // A log that shrank was replaced: it is read again from its start.
    logs.get('vaults/a.audit.jsonl')!.text = `${lines[0]}\n`;
    expect((await reader.next()).logs.flat().map((r) => r.seq)).toEqual([1]);
    reader.reset();
    expect((await reader.next()).logs.flat().map((r) => r.log)).toEqual(['vaults/a.audit.jsonl', 'vaults/b.audit.jsonl', 'retired/c.x.audit.jsonl']);
  });

  it('counts damaged lines without returning them', async () => {
    const { lines } = buildLog(1, undefined);
    const reader = new AuditReader(fakeSession(new Map([['vaults/a.audit.jsonl', { ref: agentRef('a'), text: `not json\n${lines[0]}\n` }]])));
    const pass = await reader.next();
    expect(pass.damaged).toBe(1);
    expect(pass.logs.flat()).toHaveLength(1);
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
    await waitForAudit(session, new AbortController().signal, 1);
    const stop = new AbortController();
    const waiting = waitForAudit(session, stop.signal, 60_000);
    stop.abort();
    await waiting;
  });
});
