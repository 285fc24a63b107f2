/**
 * Audit events: who did what to which credential of whose vault, and how it ended.
 * Never a value, token or passphrase; for exec only the program name.
 */

export type AuditResult = 'ok' | 'denied' | 'not_found' | 'error';

export const AUDIT_RESULTS: readonly AuditResult[] = ['ok', 'denied', 'not_found', 'error'];

/** Every action an audit line can name (man/agent-vault.5, AUDIT LOG). */
export const AUDIT_ACTIONS = [
  'store.init',
  'store.backup',
  'store.restore',
  'store.rollback',
  'store.migrate',
  'vault.status',
  'proposal.status',
  'agent.provision',
  'agent.deprovision',
  'token.rotate',
  'auth.denied',
  'access.denied',
  'credential.get',
  'credential.reveal',
  'credential.list',
  'credential.search',
  'credential.set',
  'credential.add',
  'credential.update',
  'credential.delete',
  'credential.copy',
  'credential.import',
  'credential.export',
  'totp.generate',
  'grant.create',
  'grant.revoke',
  'grant.list',
  'exec.run',
  'proposal.create',
  'proposal.approve',
  'proposal.reject',
  'proposal.expire',
  'service.add',
  'service.remove',
  'broker.request',
  'credential.history',
  'credential.restore',
  'credential.rotate',
  'credential.due',
  'hook.add',
  'hook.remove',
  'hook.test',
  'hook.delivery',
  'owner.unlock',
  'owner.lock',
  'owner.passwd',
  'owner.rekey',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What a caller records; the writer adds the sequence number, time, pid, host and chain. */
export interface AuditEvent {
  /** `owner`, `agent:<id>`, or `unknown` for a caller who proved nothing. */
  actor: string;
  /** The short id of the owner session (`unlock`) an owner event was made in. */
  session?: string;
  /** Whose vault the event concerns; empty for store-wide events. */
  agent: string;
  /** A dotted name such as `credential.get` or `auth.denied`. */
  action: AuditAction;
  /** The credential key, where one applies. */
  key?: string;
  /** The other agent of a grant (`grant.create`, `grant.revoke`). */
  to?: string;
  /** `exec.run`: the program name only, never its arguments. */
  program?: string;
  /** `proposal.*`: the proposal's id. */
  proposal?: string;
  /** `service.*` and `broker.request`: the service's name. */
  service?: string;
  /** `broker.request`: what was asked and how it ended; the path without its query, never a value. */
  request?: BrokeredRequestSummary;
  /** `mcp` for an event made through `agent-vault mcp`; absent for the CLI. */
  via?: string;
  /** With `via`: the name the MCP client gave for itself (what the client says, not a proof). */
  client?: string;
  result: AuditResult;
  reason?: string;
}

/** A brokered request as its audit line records it. `status` is 0 when no response came. */
export interface BrokeredRequestSummary {
  method: string;
  host: string;
  path: string;
  status: number;
  bytes: number;
}

/** One line of an audit log, as written (see man/agent-vault.5, AUDIT LOG). */
export interface AuditRecord extends Omit<AuditEvent, 'action'> {
  /** As written: a log may hold an action this version does not know. */
  action: string;
  v: 1;
  /** 1 for the first line of a log, then one more for each line. */
  seq: number;
  /** UTC, ISO 8601 with milliseconds. */
  ts: string;
  pid: number;
  host: string;
  /** The hash of the line before (all `A`s for the first line). */
  prev: string;
  /** The key epoch of `mac`; absent on unkeyed lines. */
  epoch?: number;
  /** HMAC-SHA256 of the line without this field; absent on unkeyed lines. */
  mac?: string;
}
