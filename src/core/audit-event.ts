/**
 * Audit events: who did what to which credential of whose vault, and how it ended.
 * Never a value, token or passphrase; for exec only the program name.
 */

export type AuditResult = 'ok' | 'denied' | 'not_found' | 'error';

/** What a caller records; the writer adds the time, pid and host. */
export interface AuditEvent {
  /** `owner`, `agent:<id>`, or `unknown` for a caller who proved nothing. */
  actor: string;
  /** Whose vault the event concerns; empty for store-wide events. */
  agent: string;
  /** A dotted name such as `credential.get` or `auth.denied`. */
  action: string;
  key?: string;
  result: AuditResult;
  reason?: string;
}

/** One line of an audit log, as written. */
export interface AuditRecord extends AuditEvent {
  v: 1;
  ts: string;
  pid: number;
  host: string;
}

export function toAuditRecord(event: AuditEvent, now: Date, pid: number, host: string): AuditRecord {
  return { v: 1, ts: now.toISOString(), ...event, pid, host };
}
