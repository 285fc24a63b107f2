/**
 * Hooks: notifications of audit events to a URL or a command, owner only. The hooks
 * (with their secrets) and their delivery cursor are objects of the store sealed with
 * the hooks key, derived from the owner key, so no agent can read, change or add one.
 * Events come from the audit logs: `runHooks` reads every log, turns the lines of
 * hooked actions into events (core/hook-event.ts) and delivers each, in time order,
 * to every hook that subscribes to it. After each acknowledgement the cursor (per hook
 * and log, the last line dealt with) is written, so a second pass sends nothing twice:
 * delivery is at least once (a crash between an acknowledgement and the cursor's
 * write sends that event again), never twice once acknowledged and recorded.
 * How an event travels (HTTP, a child process) is the caller's {@link HookTransport}.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mergeAuditLogs } from '../core/audit-query.js';
import { IntegrityError, NotFoundError } from '../core/errors.js';
import { eventBody, eventOf, isHookList, TEST_EVENT, type EventBody, type Hook, type HookEvent } from '../core/hook-event.js';
import { checkAuditLineMac, type AuditKeyring } from '../format/audit-line.js';
import { deriveHooksKey } from '../format/keys.js';
import { FormatError } from '../format/format-error.js';
import { openOwnerObject, sealOwnerObject } from '../format/owner-sealed.js';
import { agentLog, objectIds } from '../store/backend.js';
import { AuditReader } from './audit-follow.js';
import type { AuditEntry } from './audit.js';
import type { Session } from './session.js';

/** How events travel to a hook. */
export interface HookTransport {
  /** Sends one event once; resolves when the hook acknowledged it, rejects with a reason (never a secret) otherwise. */
  send(hook: Hook, request: { event: string; body: string; signature: string; delivery: string }): Promise<void>;
  /** Waits `ms` before a retry. */
  sleep(ms: number): Promise<void>;
}

/** How hard a delivery is tried: `retries` more attempts after the first, waiting `backoffMs`, then twice that, and so on. */
export interface RetryPolicy {
  retries: number;
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, backoffMs: 1_000 };

/** Per hook id, per log name: the seq of the last line delivered (or passed over). */
type Cursor = Record<string, Record<string, number>>;

async function hooksKey(session: Session): Promise<Buffer> {
  session.requireOwner('managing hooks');
  return deriveHooksKey(await session.rootKey());
}

async function readHooks(session: Session, key: Buffer): Promise<Hook[]> {
  const found = await session.store.read(objectIds.hooks);
  if (!found) return [];
  const data = openOwnerObject('hooks', key, found.bytes, session.store.describe(objectIds.hooks)) as { v?: unknown; hooks?: unknown };
  if (data?.v !== 1 || !isHookList(data.hooks)) throw new IntegrityError(`${session.store.describe(objectIds.hooks)} has an unsupported shape`);
  return data.hooks;
}

async function readCursor(session: Session, key: Buffer): Promise<Cursor> {
  const found = await session.store.read(objectIds.hookCursor);
  if (!found) return {};
  const data = openOwnerObject('hookCursor', key, found.bytes, session.store.describe(objectIds.hookCursor)) as { v?: unknown; cursor?: unknown };
  const cursor = data?.cursor;
  const ok = data?.v === 1 && cursor !== null && typeof cursor === 'object' && Object.values(cursor as object).every((logs: unknown) => logs !== null && typeof logs === 'object' && Object.values(logs as object).every((n) => Number.isSafeInteger(n)));
  if (!ok) throw new IntegrityError(`${session.store.describe(objectIds.hookCursor)} has an unsupported shape`);
  return cursor as Cursor;
}

/**
 * `rekey`: the hooks and their cursor sealed anew under the hooks key of the `next`
 * root key, so the old root key opens neither. Each is left alone when it already opens
 * under `next`, so a rekey run again after a crash carries on.
 */
export async function resealHooks(session: Session, previous: Buffer, next: Buffer): Promise<void> {
  const nextKey = deriveHooksKey(next);
  for (const [kind, id] of [['hooks', objectIds.hooks], ['hookCursor', objectIds.hookCursor]] as const) {
    await session.store.exclusive(id, async () => {
      const found = await session.store.read(id);
      if (!found) return;
      const what = session.store.describe(id);
      try {
        openOwnerObject(kind, nextKey, found.bytes, what);
        return;
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
      }
      await session.store.put(id, sealOwnerObject(kind, nextKey, openOwnerObject(kind, deriveHooksKey(previous), found.bytes, what)));
    });
  }
}

/** Changes the hooks under their object's exclusive section. */
function changeHooks<T>(session: Session, key: Buffer, change: (hooks: Hook[]) => { hooks: Hook[]; result: T }): Promise<T> {
  return session.store.exclusive(objectIds.hooks, async () => {
    const { hooks, result } = change(await readHooks(session, key));
    await session.store.put(objectIds.hooks, sealOwnerObject('hooks', key, { v: 1, hooks }));
    return result;
  });
}

/** `hook add`: registers a hook and returns it with its new secret, which is shown this once. */
export async function addHook(session: Session, target: { url: string } | { exec: string }, events: HookEvent[]): Promise<Hook> {
  const key = await hooksKey(session);
  const hook: Hook = { id: randomBytes(4).toString('hex'), events, ...target, secret: randomBytes(32).toString('hex'), created: session.now().toISOString() };
  await changeHooks(session, key, (hooks) => ({ hooks: [...hooks, hook], result: undefined }));
  await session.audit.recordStore({ agent: '', action: 'hook.add', reason: `hook ${hook.id}: ${events.join(',')}` });
  return hook;
}

/** `hook list`: every hook (the caller prints no secret). */
export async function listHooks(session: Session): Promise<Hook[]> {
  return readHooks(session, await hooksKey(session));
}

function requireHook(hooks: Hook[], id: string): Hook {
  const hook = hooks.find((h) => h.id === id);
  if (!hook) throw new NotFoundError(`no hook ${id}`, 'list the hooks with: agent-vault hook list');
  return hook;
}

/** `hook remove ID`: a hook that is not there is exit 3. Its cursor goes with it at the next pass. */
export async function removeHook(session: Session, id: string): Promise<void> {
  const key = await hooksKey(session);
  await changeHooks(session, key, (hooks) => {
    requireHook(hooks, id);
    return { hooks: hooks.filter((h) => h.id !== id), result: undefined };
  });
  await session.audit.recordStore({ agent: '', action: 'hook.remove', reason: `hook ${id}` });
}

/** The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body, keyed by the hook's secret (its text's UTF-8 bytes). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Sends one event to one hook, retried with backoff; the reason of the last failure if it never got through. */
async function deliver(transport: HookTransport, hook: Hook, body: EventBody, retry: RetryPolicy): Promise<{ attempts: number; error?: string }> {
  const text = JSON.stringify(body);
  const request = { event: body.event, body: text, signature: signBody(hook.secret, text), delivery: body.id };
  let error = '';
  for (let attempt = 1; attempt <= retry.retries + 1; attempt += 1) {
    if (attempt > 1) await transport.sleep(retry.backoffMs * 2 ** (attempt - 2));
    try {
      await transport.send(hook, request);
      return { attempts: attempt };
    } catch (err) {
      error = (err as Error).message;
    }
  }
  return { attempts: retry.retries + 1, error };
}

/** One delivery that failed after every retry. */
export interface FailedDelivery {
  hook: string;
  event: string;
  id: string;
  error: string;
}

/** Records a delivery that failed in the store's log: no secret, no body, just which and why. */
function recordFailure(session: Session, action: 'hook.delivery' | 'hook.test', failure: FailedDelivery, attempts: number): Promise<void> {
  return session.audit.recordStore({ agent: '', action, result: 'error', reason: `hook ${failure.hook}: ${failure.event} ${failure.id} not delivered after ${attempts} attempt(s): ${failure.error}` });
}

/** `hook test ID`: sends a `hook.test` event; a failure after the retries is reported, and recorded. */
export async function testHook(session: Session, id: string, transport: HookTransport, retry: RetryPolicy = DEFAULT_RETRY): Promise<FailedDelivery | undefined> {
  const hook = requireHook(await listHooks(session), id);
  const body: EventBody = { id: `test-${randomBytes(6).toString('hex')}`, event: TEST_EVENT, time: session.now().toISOString() };
  const { attempts, error } = await deliver(transport, hook, body, retry);
  if (error === undefined) {
    await session.audit.recordStore({ agent: '', action: 'hook.test', reason: `hook ${id}` });
    return undefined;
  }
  const failure: FailedDelivery = { hook: id, event: TEST_EVENT, id: body.id, error };
  await recordFailure(session, 'hook.test', failure, attempts);
  return failure;
}

/**
 * The name a retired log had while its agent was provisioned: its lines were delivered
 * under that name, so its cursor there still applies.
 */
function formerName(log: string): string | undefined {
  const agent = /^retired\/([a-z0-9][a-z0-9_-]{0,63})\./.exec(log)?.[1];
  return agent === undefined ? undefined : agentLog(agent).name;
}

/**
 * Whether a line may become an event: a line of an agent's log must carry a MAC that
 * verifies under that vault's audit keys (anyone who can write the file could append
 * one without), as `audit verify` requires. The store's log holds unkeyed lines of
 * failed proofs by design, and a retired log's keys are gone: those count as written.
 */
function vouchedBy(session: Session): (entry: AuditEntry) => Promise<boolean> {
  const keyrings = new Map<string, AuditKeyring | undefined>();
  return async (entry) => {
    const agent = /^vaults\/([a-z0-9][a-z0-9_-]{0,63})\.audit\.jsonl$/.exec(entry.log)?.[1];
    if (agent === undefined) return true;
    if (!keyrings.has(agent)) keyrings.set(agent, await session.keyringFor(agent, { fresh: true }));
    const keyring = keyrings.get(agent);
    const record: Record<string, unknown> = { ...entry };
    delete record.log;
    delete record.hash;
    // The line itself: a parsed line keeps its fields in their written order.
    return keyring !== undefined && checkAuditLineMac(entry, JSON.stringify(record), keyring);
  };
}

/** What one pass did. */
export interface HookPass {
  delivered: number;
  failed: FailedDelivery[];
}

/** How long `hook run --follow` leaves a hook alone after a delivery to it failed every retry. */
export const FOLLOW_PAUSE_MS = 30_000;

/** What `hook run --follow` carries from one pass to the next. */
export interface FollowState {
  /** What was read so far. */
  reader: AuditReader;
  /** Hooks whose delivery failed, by id: the time before which they are left alone. */
  paused: Map<string, number>;
}

/**
 * One pass of `hook run`: every hooked event since each hook's cursor (or, for a log
 * it has no cursor for, since the hook was added), in time order. A hook whose
 * delivery fails after every retry gets nothing more in this pass, so it never
 * receives events out of order; the failure is recorded and the next pass starts
 * again from it. Passes are serialised by the cursor's exclusive section, so two
 * `hook run`s never deliver the same event each. With `follow` (the state of
 * `--follow`), only what was appended since the last pass is read, and a hook that
 * failed is paused for {@link FOLLOW_PAUSE_MS} (its own failure line would otherwise
 * wake the follower to fail again at once) while the others go on.
 */
export async function runHooks(session: Session, transport: HookTransport, retry: RetryPolicy = DEFAULT_RETRY, follow?: FollowState): Promise<HookPass> {
  const key = await hooksKey(session);
  const reader = follow?.reader ?? new AuditReader(session);
  const now = session.now().getTime();
  const resumed = [...(follow?.paused ?? [])].filter(([, until]) => until <= now).map(([id]) => id);
  for (const id of resumed) follow!.paused.delete(id);
  // A hook that resumes needs what was read while it was paused: read everything again.
  if (resumed.length > 0) reader.reset();
  return session.store.exclusive(objectIds.hookCursor, async () => {
    const hooks = (await readHooks(session, key)).filter((h) => !follow?.paused.has(h.id));
    const { logs } = await reader.next();
    const records = mergeAuditLogs(logs);
    const stored = await readCursor(session, key);
    // Cursors of removed hooks are dropped at the next write; a paused hook's is kept as it is.
    const cursor: Cursor = Object.fromEntries([...Object.entries(stored).filter(([id]) => follow?.paused.has(id)), ...hooks.map((h) => [h.id, { ...stored[h.id] }] as const)]);
    let dirty = Object.keys(stored).some((id) => !(id in cursor));
    const save = async (): Promise<void> => {
      await session.store.put(objectIds.hookCursor, sealOwnerObject('hookCursor', key, { v: 1, cursor }));
      dirty = false;
    };
    const pass: HookPass = { delivered: 0, failed: [] };
    const vouched = vouchedBy(session);
    for (const hook of hooks) {
      const at = cursor[hook.id]!;
      for (const record of records) {
        const done = at[record.log] ?? at[formerName(record.log) ?? ''];
        if (done !== undefined ? record.seq <= done : record.ts < hook.created) continue;
        const event = eventOf(record);
        if (event !== undefined && hook.events.includes(event) && (await vouched(record))) {
          const body = eventBody(event, record, record.log);
          const { attempts, error } = await deliver(transport, hook, body, retry);
          if (error !== undefined) {
            const failure: FailedDelivery = { hook: hook.id, event, id: body.id, error };
            pass.failed.push(failure);
            follow?.paused.set(hook.id, session.now().getTime() + FOLLOW_PAUSE_MS);
            await recordFailure(session, 'hook.delivery', failure, attempts);
            break;
          }
          at[record.log] = record.seq;
          pass.delivered += 1;
          // Written at once after the acknowledgement: a crash from here on never sends it again.
          await save();
          continue;
        }
        at[record.log] = record.seq;
        dirty = true;
      }
    }
    if (dirty) await save();
    return pass;
  });
}
