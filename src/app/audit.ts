/**
 * The audit logs a caller may see (the owner: all of them; an agent: its own), read
 * for listing and checked for tampering with the keys the caller holds.
 */
import type { AuditRecord } from '../core/audit-event.js';
import { AccessDeniedError } from '../core/errors.js';
import { checkAuditLog, readAuditRecords, type AuditCheck } from '../format/audit-chain.js';
import { hashAuditLine, type AuditKeyring } from '../format/audit-line.js';
import { agentLog, type AuditLogRef } from '../store/backend.js';
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
  await session.ownerKey();
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

/** Every record the caller may see, in file order per log (merge them with mergeAuditLogs). */
export async function readVisibleAudit(session: Session): Promise<{ logs: AuditEntry[][]; damaged: number }> {
  let damaged = 0;
  const logs: AuditEntry[][] = [];
  for (const log of await visibleAuditLogs(session, { withKeys: false })) {
    const { text } = await session.store.audit.read(log);
    const { records, bad } = readAuditRecords(text ?? '');
    damaged += bad;
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

/** Checks every log the caller may see. */
export async function verifyVisibleAudit(session: Session): Promise<AuditLogVerification[]> {
  const results: AuditLogVerification[] = [];
  for (const log of await visibleAuditLogs(session, { withKeys: true })) {
    // A provisioned agent's log and an initialised store's always have their first line.
    const origin = log.kind === 'store' ? 'store.init' : log.kind === 'agent' && (await session.hasVault(log.agent!)) ? 'agent.provision' : undefined;
    const { text, head } = await session.store.audit.read(log);
    const check = checkAuditLog(text, head, { ...(log.keyring ? { keyring: log.keyring } : {}), requireKeyed: log.kind === 'agent', ...(origin ? { origin } : {}) });
    if (log.keyError !== undefined) check.problems.unshift({ message: `its vault does not open, so its lines cannot be checked: ${log.keyError}` });
    results.push({ ...check, file: session.store.describeLog(log), kind: log.kind, ...(log.agent ? { agent: log.agent } : {}), checked: log.keyring ? 'keyed' : 'chain' });
  }
  return results;
}
