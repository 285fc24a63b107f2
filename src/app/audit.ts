/**
 * The audit logs a caller may see (the owner: all of them; an agent: its own), read
 * for listing and checked for tampering with the keys the caller holds.
 */
import type { AuditRecord } from '../core/audit-event.js';
import { filterAuditRecords, mergeAuditLogs, type AuditFilter } from '../core/audit-query.js';
import { AccessDeniedError } from '../core/errors.js';
import { checkAuditStream, eachAuditLine, type AuditCheck } from '../format/audit-chain.js';
import { checkAuditLineMac, hashAuditLine, parseAuditLine, type AuditKeyring } from '../format/audit-line.js';
import { agentLog, STORE_LOG, type AuditLogRef } from '../store/backend.js';
import type { Session } from './session.js';

/** A log with the keys it is checked with; retired logs and logs whose vault is gone have none. */
export interface VisibleAuditLog extends AuditLogRef {
  keyring?: AuditKeyring;
  /** Why no keys could be had for a log that should have them. */
  keyError?: string;
}

/** A record as `audit --json` shows it: the line, which log it is in, and its hash (for anchors). */
export type AuditEntry = AuditRecord & { log: string; hash: string };

/**
 * The logs the caller may see, after proving who it is (the owner's passphrase, or an
 * agent's token opening its own vault). With `withKeys`, each log's keys as well.
 */
export async function visibleAuditLogs(session: Session, options: { withKeys: boolean }): Promise<VisibleAuditLog[]> {
  const caller = session.tokenAgent;
  if (caller !== undefined) {
    const keyring = await session.auditKeyring(caller);
    return [{ ...agentLog(caller), keyring }];
  }
  await session.rootKey();
  const logs: VisibleAuditLog[] = await session.store.audit.list();
  if (!options.withKeys) return logs;
  for (const log of logs) {
    if (log.kind === 'store') log.keyring = session.storeKeyring();
    else if (log.kind === 'agent' && (await session.hasVault(log.agent!))) {
      try {
        log.keyring = await session.auditKeyring(log.agent!);
      } catch (err) {
        if (err instanceof AccessDeniedError) throw err;
        log.keyError = (err as Error).message;
      }
    }
  }
  return logs;
}

/** How many selected records a log's reading holds before it drops those the filter's limit rules out. */
const TRIM_EVERY = 10_000;

/**
 * Every record the caller may see that `filter` selects, per log (merge them with
 * mergeAuditLogs, then filterAuditRecords again for the limit across logs). Each log
 * is read in chunks and only the records selected so far are kept, at most
 * `2 × limit` or {@link TRIM_EVERY} when a limit is given: each log's newest `limit`
 * by time, which include the newest `limit` of all logs merged.
 */
export async function readVisibleAudit(session: Session, filter: AuditFilter = {}): Promise<{ logs: AuditEntry[][]; damaged: number }> {
  let damaged = 0;
  const logs: AuditEntry[][] = [];
  const keep = Math.max(TRIM_EVERY, 2 * (filter.limit ?? 0));
  for (const log of await visibleAuditLogs(session, { withKeys: false })) {
    const { chunks } = await session.store.audit.stream(log);
    let records: AuditRecord[] = [];
    let unfiltered = 0;
    const trim = (): void => {
      if (filter.limit === undefined) {
        const fresh = records.splice(records.length - unfiltered);
        for (const r of filterAuditRecords(fresh, filter)) records.push(r);
      } else {
        // Sorting by time is stable: records of one time keep their file order, as mergeAuditLogs keeps them.
        records = filterAuditRecords(mergeAuditLogs([records]), filter);
      }
      unfiltered = 0;
    };
    const torn =
      chunks === undefined
        ? undefined
        : await eachAuditLine(chunks, (line) => {
            try {
              records.push(parseAuditLine(line));
              unfiltered += 1;
            } catch {
              damaged += 1;
            }
            if (unfiltered >= keep) trim();
          });
    if (torn !== undefined) damaged += 1;
    trim();
    // Hashes are recomputed from the canonical form, which is the line itself.
    logs.push(records.map((r) => ({ ...r, log: log.name, hash: hashAuditLine(JSON.stringify(r)) })));
  }
  return { logs, damaged };
}

/** The outcome of checking one log. */
export interface AuditLogVerification extends AuditCheck {
  file: string;
  kind: AuditLogRef['kind'];
  agent?: string;
  /** `keyed`: MACs and head checked with the keys; `chain`: only the hash chain and the head's seq and hash. */
  checked: 'keyed' | 'chain';
}

/**
 * Which agents the store's log says exist: for each agent, whether its newest keyed
 * `agent.provision` or `agent.deprovision` line by the owner is a provisioning, with
 * that line's number. Only lines whose MAC verifies count: anyone can append unkeyed.
 */
async function provisionedInStoreLog(chunks: AsyncIterable<string> | undefined, keyring: AuditKeyring): Promise<Map<string, number>> {
  const live = new Map<string, number>();
  if (chunks === undefined) return live;
  let index = 0;
  await eachAuditLine(chunks, (line) => {
    index += 1;
    let record: AuditRecord;
    try {
      record = parseAuditLine(line);
    } catch {
      return;
    }
    if (record.actor !== 'owner' || !checkAuditLineMac(record, line, keyring)) return;
    if (record.action === 'agent.provision') live.set(record.agent, index);
    else if (record.action === 'agent.deprovision') live.delete(record.agent);
  });
  return live;
}

/**
 * Checks every log the caller may see, each read in chunks and checked line by line
 * (memory does not grow with the log). For the owner it also holds the vaults against
 * the store's log, which records every agent's provisioning and end: an agent
 * provisioned there whose vault or log is gone was deleted, and a vault it does not
 * record was planted (or restored from before its agent was deprovisioned).
 */
export async function verifyVisibleAudit(session: Session): Promise<AuditLogVerification[]> {
  const results: AuditLogVerification[] = [];
  const logs = await visibleAuditLogs(session, { withKeys: true });
  const storeKeyring = session.isOwner() ? session.storeKeyring() : undefined;
  const live = storeKeyring ? await provisionedInStoreLog((await session.store.audit.stream(STORE_LOG)).chunks, storeKeyring) : new Map<string, number>();
  const vaults = new Set(session.isOwner() ? await session.listAgents() : []);
  // A provisioned agent whose log, head and vault are all gone has no log listed: check one all the same.
  for (const agent of live.keys()) if (!logs.some((l) => l.kind === 'agent' && l.agent === agent)) logs.push(agentLog(agent));
  for (const log of logs) {
    const hasVault = log.kind === 'agent' && (session.isOwner() ? vaults.has(log.agent!) : await session.hasVault(log.agent!));
    // A provisioned agent's log and an initialised store's always have their first line.
    const origin = log.kind === 'store' ? 'store.init' : hasVault || (log.kind === 'agent' && live.has(log.agent!)) ? 'agent.provision' : undefined;
    const { chunks, head } = await session.store.audit.stream(log);
    const check = await checkAuditStream(chunks, head, { ...(log.keyring ? { keyring: log.keyring } : {}), requireKeyed: log.kind === 'agent', ...(origin ? { origin } : {}) });
    if (log.keyError !== undefined) check.problems.unshift({ message: `its vault does not open, so its lines cannot be checked: ${log.keyError}` });
    if (storeKeyring && log.kind === 'agent') {
      const line = live.get(log.agent!);
      if (line !== undefined && !hasVault) check.problems.unshift({ message: `agent ${log.agent} is provisioned (line ${line} of the store's log) but its vault is missing: it was deleted` });
      if (line === undefined && hasVault) check.problems.unshift({ message: `the vault of agent ${log.agent} is not recorded as provisioned in the store's log: it was planted, or restored from before it was deprovisioned` });
    }
    results.push({ ...check, file: session.store.describeLog(log), kind: log.kind, ...(log.agent ? { agent: log.agent } : {}), checked: log.keyring ? 'keyed' : 'chain' });
  }
  return results;
}
