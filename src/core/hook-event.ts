/**
 * Hooks and the events they are sent: which audit lines become which event, and the
 * JSON an event is delivered as. An event is made from an audit record alone, and an
 * audit record never holds a value, token or passphrase, so neither does an event.
 * Pure.
 */
import type { AuditRecord } from './audit-event.js';
import { UsageError } from './errors.js';

/** The events a hook may subscribe to (SPEC.md, "Events out"). */
export const HOOK_EVENTS = [
  'proposal.created',
  'proposal.approved',
  'proposal.rejected',
  'credential.due',
  'credential.rotated',
  'access.denied',
  'auth.denied',
] as const;

export type HookEvent = (typeof HOOK_EVENTS)[number];

/** The event `hook test` sends. */
export const TEST_EVENT = 'hook.test';

/** A registered hook, as the owner-sealed hooks object keeps it. */
export interface Hook {
  /** 8 hex digits. */
  id: string;
  events: HookEvent[];
  /** An http(s) URL to POST to, or a shell command line that gets the event on stdin. */
  url?: string;
  exec?: string;
  /** The HMAC-SHA256 key of the signature header (the text `hook add` printed once). */
  secret: string;
  /** When it was added: a hook is sent only events from then on. */
  created: string;
}

/** Which audit action, with which results, makes which event. */
const FROM_ACTION: Record<string, { event: HookEvent; results: readonly string[] }> = {
  'proposal.create': { event: 'proposal.created', results: ['ok'] },
  'proposal.approve': { event: 'proposal.approved', results: ['ok'] },
  'proposal.reject': { event: 'proposal.rejected', results: ['ok'] },
  'credential.due': { event: 'credential.due', results: ['ok'] },
  'credential.rotate': { event: 'credential.rotated', results: ['ok'] },
  'access.denied': { event: 'access.denied', results: ['denied', 'ok', 'error'] },
  'auth.denied': { event: 'auth.denied', results: ['denied', 'ok', 'error'] },
};

/** The event an audit record is, if any. */
export function eventOf(record: Pick<AuditRecord, 'action' | 'result'>): HookEvent | undefined {
  const found = FROM_ACTION[record.action];
  return found && found.results.includes(record.result) ? found.event : undefined;
}

/** What a hook is sent: the event's name, a delivery id, and the audit record's own fields. */
export interface EventBody {
  /** Unique per audit line (`<log>#<seq>`), the same on every retry: receivers deduplicate by it. */
  id: string;
  event: HookEvent | typeof TEST_EVENT;
  time: string;
  actor?: string;
  agent?: string;
  key?: string;
  result?: string;
  reason?: string;
  log?: string;
  seq?: number;
}

/** The body of the event an audit record of `log` makes. Only named fields are copied: nothing else of a line can leak. */
export function eventBody(event: HookEvent, record: AuditRecord, log: string): EventBody {
  return {
    id: `${log}#${record.seq}`,
    event,
    time: record.ts,
    actor: record.actor,
    agent: record.agent,
    ...(record.key === undefined ? {} : { key: record.key }),
    result: record.result,
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    log,
    seq: record.seq,
  };
}

/** `--event E,…`: known event names, each once. */
export function parseHookEvents(text: string): HookEvent[] {
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new UsageError('--event names no event', `use one or more of ${HOOK_EVENTS.join(', ')}`);
  for (const name of names) {
    if (!(HOOK_EVENTS as readonly string[]).includes(name)) throw new UsageError(`unknown event ${JSON.stringify(name.slice(0, 80))}`, `use one or more of ${HOOK_EVENTS.join(', ')}`);
  }
  return [...new Set(names)] as HookEvent[];
}

/** `--url URL`: an absolute http or https URL without credentials in it. */
export function checkHookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('--url is not a URL', 'give an absolute URL such as https://hooks.example.com/agent-vault');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--url must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username !== '' || url.password !== '') throw new UsageError('--url must not hold a user name or password', 'the receiver verifies the X-Agent-Vault-Signature header instead');
  return url.toString();
}

const HOOK_ID = /^[0-9a-f]{8}$/;

/** Throws a usage error unless `text` is a hook id. */
export function checkHookId(text: string): string {
  if (!HOOK_ID.test(text)) throw new UsageError(`invalid hook id ${JSON.stringify(text.slice(0, 80))}`, 'list the hooks with: agent-vault hook list');
  return text;
}

/** Checks the shape of the hooks object's contents. */
export function isHookList(value: unknown): value is Hook[] {
  return (
    Array.isArray(value) &&
    value.every(
      (h: Partial<Hook> | null) =>
        h !== null &&
        typeof h === 'object' &&
        typeof h.id === 'string' &&
        HOOK_ID.test(h.id) &&
        Array.isArray(h.events) &&
        h.events.every((e) => (HOOK_EVENTS as readonly string[]).includes(e)) &&
        (typeof h.url === 'string') !== (typeof h.exec === 'string') &&
        typeof h.secret === 'string' &&
        typeof h.created === 'string',
    )
  );
}
