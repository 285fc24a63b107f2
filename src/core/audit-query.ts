/**
 * Reading audit records: merging logs in time order, filtering them as `audit` does,
 * and summarising access per agent as `audit report` does.
 */
import type { AuditRecord } from './audit-event.js';

/** What `audit` selects; every field narrows the selection. */
export interface AuditFilter {
  /** The vault concerned (the `agent` field). */
  agent?: string;
  /** A prefix of the action: `credential` matches `credential.get`. */
  action?: string;
  key?: string;
  since?: Date;
  /** Only the newest N, still oldest first. */
  limit?: number;
}

/** Merges logs (each in file order) into one list, oldest first; ties keep log order. */
export function mergeAuditLogs<T extends AuditRecord>(logs: readonly T[][]): T[] {
  return logs.flat().sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/** The records `filter` selects, oldest first. */
export function filterAuditRecords<T extends AuditRecord>(records: readonly T[], filter: AuditFilter): T[] {
  const since = filter.since?.toISOString();
  const selected = records.filter(
    (r) =>
      (filter.agent === undefined || r.agent === filter.agent) &&
      (filter.action === undefined || r.action.startsWith(filter.action)) &&
      (filter.key === undefined || r.key === filter.key) &&
      (since === undefined || r.ts >= since),
  );
  return filter.limit === undefined ? selected : selected.slice(Math.max(0, selected.length - filter.limit));
}

/** Access to one agent's vault, as `audit report` shows it. */
export interface AgentAccessSummary {
  agent: string;
  /** Successful `credential.get`, `credential.list` and `credential.search`. */
  reads: number;
  /** Successful `credential.reveal` (values shown by `list --reveal`, `get --json --reveal`). */
  reveals: number;
  /** Successful `credential.set`, `.add`, `.update` and `.delete`. */
  writes: number;
  /** Successful `totp.generate`. */
  totp: number;
  /** Successful `exec.run`. */
  exec: number;
  /** Every event with result `denied`: wrong tokens naming the agent, reads without a grant. */
  denied: number;
  /** The time of the first and the last event about the vault. */
  first: string;
  last: string;
}

const CATEGORY: Record<string, 'reads' | 'reveals' | 'writes' | 'totp' | 'exec'> = {
  'credential.get': 'reads',
  'credential.list': 'reads',
  'credential.search': 'reads',
  'credential.reveal': 'reveals',
  'credential.set': 'writes',
  'credential.add': 'writes',
  'credential.update': 'writes',
  'credential.delete': 'writes',
  'credential.copy': 'writes',
  'totp.generate': 'totp',
  'exec.run': 'exec',
};

/** Per agent (the vault concerned), sorted by agent; store-wide events are left out. */
export function summariseAccess(records: readonly AuditRecord[]): AgentAccessSummary[] {
  const byAgent = new Map<string, AgentAccessSummary>();
  for (const r of records) {
    if (r.agent === '') continue;
    let summary = byAgent.get(r.agent);
    if (!summary) {
      summary = { agent: r.agent, reads: 0, reveals: 0, writes: 0, totp: 0, exec: 0, denied: 0, first: r.ts, last: r.ts };
      byAgent.set(r.agent, summary);
    }
    if (r.ts < summary.first) summary.first = r.ts;
    if (r.ts > summary.last) summary.last = r.ts;
    const category = CATEGORY[r.action];
    if (r.result === 'denied') summary.denied += 1;
    else if (r.result === 'ok' && category) summary[category] += 1;
  }
  return [...byAgent.values()].sort((a, b) => (a.agent < b.agent ? -1 : 1));
}
