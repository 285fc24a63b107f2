import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/core/audit-event.js';
import { filterAuditRecords, mergeAuditLogs, summariseAccess } from '../../../src/core/audit-query.js';

let seq = 0;
function rec(ts: string, agent: string, action: string, fields: Partial<AuditRecord> = {}): AuditRecord {
  seq += 1;
  return { v: 1, seq, ts: `2025-01-01T${ts}:00.000Z`, actor: 'owner', agent, action, result: 'ok', pid: 1, host: 'h', prev: 'A'.repeat(43), ...fields };
}

const a = [rec('10:00', 'bot1', 'credential.get', { key: 'K1' }), rec('10:03', 'bot1', 'credential.reveal'), rec('10:05', 'bot1', 'credential.set', { key: 'K2' })];
const b = [rec('09:00', '', 'store.init'), rec('10:01', 'bot2', 'totp.generate', { key: 'K1' }), rec('10:04', 'bot1', 'access.denied', { result: 'denied', actor: 'agent:bot2' })];

describe('audit queries', () => {
  it('merges logs oldest first', () => {
    expect(mergeAuditLogs([a, b]).map((r) => r.ts.slice(11, 16))).toEqual(['09:00', '10:00', '10:01', '10:03', '10:04', '10:05']);
  });

  it('filters by agent, action prefix, key and time, and keeps the newest N in order', () => {
    const all = mergeAuditLogs([a, b]);
    expect(filterAuditRecords(all, { agent: 'bot1' })).toHaveLength(4);
    expect(filterAuditRecords(all, { action: 'credential' }).map((r) => r.action)).toEqual(['credential.get', 'credential.reveal', 'credential.set']);
    expect(filterAuditRecords(all, { key: 'K1' }).map((r) => r.agent)).toEqual(['bot1', 'bot2']);
    expect(filterAuditRecords(all, { since: new Date('2025-01-01T10:03:00.000Z') })).toHaveLength(3);
    expect(filterAuditRecords(all, { limit: 2 }).map((r) => r.ts.slice(11, 16))).toEqual(['10:04', '10:05']);
    expect(filterAuditRecords(all, { limit: 100 })).toHaveLength(6);
  });

  it('summarises access per vault, counting denials apart and leaving store events out', () => {
    expect(summariseAccess(mergeAuditLogs([a, b]))).toEqual([
      { agent: 'bot1', reads: 1, reveals: 1, writes: 1, totp: 0, exec: 0, denied: 1, first: '2025-01-01T10:00:00.000Z', last: '2025-01-01T10:05:00.000Z' },
      { agent: 'bot2', reads: 0, reveals: 0, writes: 0, totp: 1, exec: 0, denied: 0, first: '2025-01-01T10:01:00.000Z', last: '2025-01-01T10:01:00.000Z' },
    ]);
  });
});
