/**
 * `credential copy OLD NEW`: a credential copied whole (type, name, tags, URIs, every
 * field including the TOTP secret and notes, reveal policy and policies) under a new
 * key. The copy is a new credential (a new id, created now); it starts with no history,
 * since the source's past values are not part of what was copied.
 */
import { newId, type Credential } from './credential.js';
import { UsageError } from './errors.js';
import { checkCredentialKey } from './ids.js';
import { findCredentialBy, pushCredential, type VaultPayload } from './vault.js';

/**
 * A deep copy of the parts of `source` a copy keeps: everything but id, key and times,
 * so a part a later version adds to credentials is copied without a change here.
 */
function contentsOf(source: Credential): Omit<Credential, 'id' | 'key' | 'created' | 'updated'> {
  const copy: Partial<Credential> = structuredClone(source);
  for (const own of ['id', 'key', 'created', 'updated'] as const) delete copy[own];
  return copy as Omit<Credential, 'id' | 'key' | 'created' | 'updated'>;
}

/**
 * Puts a copy of `source` in `payload` as `key`. A credential already there under that
 * key is exit 2 unless `force`, which overwrites it in place: its id and creation time
 * stay (so its history records the overwritten values and its grants carry the copy).
 */
export function copyCredential(payload: VaultPayload, source: Credential, key: string, now: string, options: { force?: boolean } = {}): { credential: Credential; replaced: boolean } {
  checkCredentialKey(key);
  const existing = findCredentialBy(payload, 'key', key);
  if (existing === source) throw new UsageError(`cannot copy ${key} onto itself`, 'give the copy another key, or another vault with --to-agent');
  if (existing && !options.force) throw new UsageError(`credential ${key} already exists in the vault of agent ${payload.agent}`, 'pass --force to overwrite it');
  const contents = contentsOf(source);
  if (existing) {
    // Every part the source lacks goes too (an optional one included), so the overwrite is the copy exactly.
    for (const name of Object.keys(existing) as Array<keyof Credential>) if (name !== 'id' && name !== 'key' && name !== 'created') delete existing[name];
    Object.assign(existing, contents, { updated: now });
    return { credential: existing, replaced: true };
  }
  const credential: Credential = { id: newId(), key, ...contents, created: now, updated: now };
  pushCredential(payload, credential);
  return { credential, replaced: false };
}
