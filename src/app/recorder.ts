/**
 * Where and how audit events are written. The recorder sees the session only through
 * {@link AuditKeySource}: who has proved to be calling, and which audit keys the caller
 * can reach. The actor of a line is `unknown` until a proof succeeded, and a line goes
 * to a log only if the caller can key it, so no log holds a line its keys cannot vouch
 * for.
 */
import { hostname } from 'node:os';
import type { AuditEvent, AuditResult } from '../core/audit-event.js';
import { AccessDeniedError, AuthError, VaultError } from '../core/errors.js';
import { planAuditBatch } from '../format/audit-append.js';
import type { AuditKeyring } from '../format/audit-line.js';
import { agentLog, STORE_LOG, type AuditLogRef, type StorageBackend } from '../store/backend.js';

/** What the recorder needs of a session. */
export interface AuditKeySource {
  /** `owner` or `agent:<id>` once proved, else `unknown`. */
  provenActor(): string;
  /** The agent a token names, proved or not. */
  readonly tokenAgent: string | undefined;
  /** The audit keys of `agent`'s log if the caller can open it without asking for anything. */
  keyringFor(agent: string, options?: { fresh?: boolean }): Promise<AuditKeyring | undefined>;
  /** The store log's key, once the owner proved the passphrase. */
  storeKeyring(): AuditKeyring | undefined;
  /** The short id of the owner session the owner proved itself with, if any. */
  readonly ownerSessionId?: string | undefined;
}

/** The fields a caller gives {@link AuditRecorder.record}; the recorder adds actor and agent. */
export type RecordedEvent = Omit<AuditEvent, 'actor' | 'agent' | 'result'> & { result?: AuditResult };

/** The channel a session's events came through (`agent-vault mcp`), written on each of its lines. */
export interface AuditChannel {
  via: string;
  client?: string;
}

export class AuditRecorder {
  private channel: AuditChannel | undefined;

  constructor(
    private readonly store: StorageBackend,
    private readonly keys: AuditKeySource,
    private readonly now: () => Date,
  ) {}

  /**
   * Records an event about `agent`'s vault in the log of whoever can key it:
   * - a caller who can open that vault (the owner, or the agent itself): that vault's log;
   * - another agent, who proved itself with its token: its own log, naming `agent`;
   * - a caller who proved nothing: the store's log, unkeyed.
   */
  record(agent: string, event: RecordedEvent): Promise<void> {
    return this.recordEach(agent, [event]);
  }

  /**
   * Records the events of one operation about `agent`'s vault (one per key of a bulk
   * write), in order, where {@link record} would put each: they all go to one log, so
   * they are one append there (one lock, one durable write, one head).
   */
  private async recordEach(agent: string, events: readonly RecordedEvent[]): Promise<void> {
    // An operation on no key (a bulk set of nothing) records nothing, as it did one line per key.
    if (events.length === 0) return;
    const keyring = await this.keys.keyringFor(agent);
    const caller = this.keys.tokenAgent;
    const own = !keyring && caller !== undefined && caller !== agent ? await this.keys.keyringFor(caller) : undefined;
    // The actor is read after the keys: opening the caller's own vault is what proves its token.
    const actor = this.keys.provenActor();
    const full = events.map((event): AuditEvent => this.withSession({ actor, agent, result: 'ok', ...event }));
    if (keyring) return this.appendToVaultLog(agent, full, keyring);
    if (own) return this.appendToVaultLog(caller!, full, own);
    await this.recordStoreEach(full);
  }

  /** A failed proof (a wrong passphrase or token): the store's log, as `unknown`, since it proves nothing about the caller. */
  denied(agent: string, reason: string): Promise<void> {
    return this.recordStore({ actor: 'unknown', agent, action: 'auth.denied', result: 'denied', reason });
  }

  /**
   * Appends an event to the store-wide log, keyed when the owner proved the passphrase.
   * Nothing is recorded in a store that does not exist yet, but `init`'s own first line
   * (`beforeInit`).
   */
  recordStore(event: Omit<AuditEvent, 'actor' | 'result'> & { actor?: string; result?: AuditResult }, options: { beforeInit?: boolean } = {}): Promise<void> {
    return this.recordStoreEach([event], options);
  }

  /** {@link recordStore} for the events of one operation, as one append. */
  private async recordStoreEach(events: ReadonlyArray<Omit<AuditEvent, 'actor' | 'result'> & { actor?: string; result?: AuditResult }>, options: { beforeInit?: boolean } = {}): Promise<void> {
    if (!options.beforeInit && !(await this.store.isInitialised())) return;
    const actor = this.keys.provenActor();
    const full = events.map((event): AuditEvent => this.withSession({ actor, result: 'ok', ...event }));
    const keyring = this.keys.storeKeyring();
    // The store key has one epoch, so a head claiming a newer one was forged: record the events unkeyed all the same.
    if (!(await this.append(STORE_LOG, full, keyring))) await this.append(STORE_LOG, full, undefined);
  }

  /**
   * Marks every later event of this session as made through `channel` (the MCP server
   * and its client's name), so the log tells a tool call from the same command run by hand.
   */
  setChannel(channel: AuditChannel): void {
    this.channel = { ...channel };
  }

  /**
   * An owner event made inside an owner session names the session's short id, so `audit` tells sessions apart;
   * an event made through a channel names it.
   */
  private withSession(event: AuditEvent): AuditEvent {
    const session = event.actor === 'owner' ? this.keys.ownerSessionId : undefined;
    const channel = this.channel === undefined ? {} : { via: this.channel.via, ...(this.channel.client === undefined ? {} : { client: this.channel.client }) };
    return { ...event, ...(session === undefined ? {} : { session }), ...channel };
  }

  /**
   * Runs `fn` and records its outcome as one event per key (or one without a key):
   * `ok`, or `not_found` / `error` when it throws. A write calls the `commit` it is
   * given once its change is stored, still holding the vault, so the line is written
   * under the lock of the write it describes; a read need not call it. Failed proofs
   * and denied access are recorded where they happen, not again here.
   */
  async audited<T>(
    agent: string,
    action: AuditEvent['action'],
    keys: string | string[] | undefined,
    fn: (commit: () => Promise<void>) => Promise<T>,
    details: Pick<RecordedEvent, 'to' | 'program' | 'proposal' | 'service'> = {},
  ): Promise<T> {
    const each = keys === undefined ? [undefined] : Array.isArray(keys) ? keys : [keys];
    // One append for all the keys' lines, in the keys' order.
    const recordAll = (result: AuditResult, reason?: string): Promise<void> =>
      this.recordEach(
        agent,
        each.map((key) => ({ action, ...(key === undefined ? {} : { key }), ...details, result, ...(reason === undefined ? {} : { reason }) })),
      );
    let committed = false;
    const commit = async (): Promise<void> => {
      committed = true;
      await recordAll('ok');
    };
    try {
      const value = await fn(commit);
      if (!committed) await recordAll('ok');
      return value;
    } catch (err) {
      if (!committed && !(err instanceof AuthError) && !(err instanceof AccessDeniedError)) {
        await recordAll(err instanceof VaultError && err.exitCode === 3 ? 'not_found' : 'error', err instanceof VaultError ? err.message : undefined);
      }
      throw err;
    }
  }

  /**
   * Appends to the log of `vault`, keyed. If `token rotate` started a newer key epoch
   * since this session opened that vault, the line may not go there keyed with the
   * retired key: the vault is opened again for the newer key if the caller still can
   * (the owner can), and otherwise, its token rotated, the event goes to the store's
   * log with a reason saying so.
   */
  private async appendToVaultLog(vault: string, events: readonly AuditEvent[], keyring: AuditKeyring): Promise<void> {
    const log = agentLog(vault);
    if (await this.append(log, events, keyring)) return;
    const fresh = await this.keys.keyringFor(vault, { fresh: true });
    if (fresh && fresh.keys.length > keyring.keys.length && (await this.append(log, events, fresh))) return;
    const note = `written by a holder of a superseded audit key of the log of agent ${vault}: its token was rotated`;
    await this.recordStoreEach(events.map((event) => ({ ...event, reason: event.reason === undefined ? note : `${event.reason}; ${note}` })));
  }

  /** The events' lines as one append; `false` when the log's head is keyed with a newer epoch than `keyring`'s. */
  private append(log: AuditLogRef, events: readonly AuditEvent[], keyring: AuditKeyring | undefined): Promise<boolean> {
    let superseded = false;
    return this.store.audit
      .append(log, async (tail) => {
        const plan = await planAuditBatch(tail, events, { now: this.now(), pid: process.pid, host: hostname(), ...(keyring ? { keyring } : {}) });
        if (plan === 'superseded') superseded = true;
        return plan === 'superseded' ? undefined : plan;
      })
      .then((written) => written || !superseded);
  }
}
