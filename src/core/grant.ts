/**
 * The granter's record of its grants, kept inside its own (encrypted) vault payload so
 * it can re-seal each grant when the credential changes, list them and end them. Pure.
 */
import { IntegrityError } from './errors.js';
import type { Credential } from './credential.js';

/** One live grant of one credential to one agent, as the granter records it. */
export interface GrantRecord {
  /** The credential's id, which survives a rename. */
  id: string;
  /** The credential's key when last sealed: the grant file's name. */
  key: string;
  /** The grantee. */
  to: string;
  /**
   * The grantee's X25519 public key (base64) the grant was sealed to. A re-seal to a
   * different key only happens when the owner vouches for it (token rotation); any
   * other change ends the grant, so a re-provisioned agent of the same name or a
   * swapped header cannot inherit it.
   */
  pub: string;
  created: string;
  /** ISO time after which the grant no longer reads; absent for no expiry. */
  expires?: string;
}

/** Whether a grant that ends at `expires` has ended at `now`. */
export function isExpired(expires: string | undefined, now: Date): boolean {
  return expires !== undefined && Date.parse(expires) <= now.getTime();
}

/**
 * Adds a grant or refreshes an existing one (new creation time, expiry and key):
 * granting twice is harmless. Returns the record.
 */
export function upsertGrant(grants: GrantRecord[], credential: Credential, to: string, pub: string, now: string, expires: string | undefined): GrantRecord {
  const record: GrantRecord = { id: credential.id, key: credential.key, to, pub, created: now, ...(expires === undefined ? {} : { expires }) };
  const index = grants.findIndex((g) => g.id === credential.id && g.to === to);
  if (index >= 0) grants[index] = record;
  else grants.push(record);
  return record;
}

/** Checks the shape of the `grants` list read from a payload. */
export function checkGrantRecords(value: unknown, agent: string): GrantRecord[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (g: Partial<GrantRecord> | null) =>
        g !== null &&
        typeof g === 'object' &&
        typeof g.id === 'string' &&
        typeof g.key === 'string' &&
        typeof g.to === 'string' &&
        typeof g.pub === 'string' &&
        typeof g.created === 'string' &&
        (g.expires === undefined || typeof g.expires === 'string'),
    );
  if (!ok) throw new IntegrityError(`vault payload of agent ${agent} has a malformed grant list`);
  return value as GrantRecord[];
}
