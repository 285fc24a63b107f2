/**
 * Turns parsed entries into credentials of one vault: each entry gets a key (two
 * entries of one file that want the same key are numbered `_2`, `_3`, …), a key already
 * in the vault is settled by the conflict policy, and every credential is built through
 * `addCredential`/`changeCredential`, so TOTP secrets are normalised and fields checked
 * as `credential add` checks them. Pure: the caller applies it to a copy for a dry run
 * and to the freshly read payload, under the vault's lock, for the write.
 */
import { fieldsOf, updateCredential, type Credential, type CredentialType } from '../credential.js';
import { typeSpec } from '../credential-types.js';
import { UsageError, type VaultError } from '../errors.js';
import { insertCredential, type VaultPayload } from '../vault.js';
import { keyFromName, type ImportEntry } from './entry.js';

/** What to do with an imported key the vault already has; `refuse` (the default) imports nothing. */
export const CONFLICT_POLICIES = ['skip', 'overwrite', 'rename'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number] | 'refuse';

/**
 * One row of the plan: `add` a new key, `overwrite` the vault's credential of that key,
 * `rename` (added under `key` because `from` was taken), `skip` (the vault keeps its
 * own), or `clash` (taken, and the policy is to refuse).
 */
export interface PlanRow {
  key: string;
  type: CredentialType;
  action: 'add' | 'overwrite' | 'rename' | 'skip' | 'clash';
  source: string;
  from?: string;
}

/** One credential to write: an entry, or the companion note of one. */
interface Unit {
  wanted: string;
  entry: ImportEntry;
}

const COMPANION_SUFFIX = '_NOTES';

function firstFree(key: string, taken: (candidate: string) => boolean): string {
  if (!taken(key)) return key;
  for (let n = 2; ; n += 1) if (!taken(`${key}_${n}`)) return `${key}_${n}`;
}

/** The entries as units with the keys they want, unique within the input. */
function units(entries: readonly ImportEntry[], deriveKey: (entry: ImportEntry) => string): Unit[] {
  const wanted = new Set<string>();
  const claim = (key: string): string => {
    const free = firstFree(key, (candidate) => wanted.has(candidate));
    wanted.add(free);
    return free;
  };
  return entries.flatMap((entry) => {
    const main = { wanted: claim(deriveKey(entry)), entry };
    if (entry.notes === undefined) return [main];
    const companion: ImportEntry = {
      source: `${entry.source}, notes`,
      name: entry.name === '' ? '' : `${entry.name} (notes)`,
      type: 'secure_note',
      fields: { notes: entry.notes },
      uris: [],
      tags: entry.tags,
    };
    return [main, { wanted: claim(`${main.wanted}${COMPANION_SUFFIX}`), entry: companion }];
  });
}

/** Every field of the type, absent ones as `''` (which removes them), for an overwrite. */
function allFields(type: CredentialType, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(fieldsOf(type).map((name) => [name, fields[name] ?? '']));
}

/**
 * Writes one row. A credential of another type that it overwrites is added to
 * `replaced`, for the caller to remove with the others in one pass.
 */
function write(payload: VaultPayload, key: string, entry: ImportEntry, now: string, overwrite: Credential | undefined, replaced: Set<Credential>): void {
  const input = { name: entry.name, tags: entry.tags, ...(typeSpec(entry.type).uris || entry.uris.length > 0 ? { uris: entry.uris } : {}) };
  try {
    if (overwrite && overwrite.type === entry.type) {
      updateCredential(overwrite, { ...input, fields: allFields(entry.type, entry.fields) }, now);
      return;
    }
    // A credential of another type is replaced; its grants end with it, failing closed.
    if (overwrite) replaced.add(overwrite);
    // The plan gave this row a key the vault does not hold (now), and no other row the same one.
    const added = insertCredential(payload, key, entry.type, { ...input, fields: entry.fields }, now);
    if (entry.created !== undefined) added.created = entry.created;
    if (entry.updated !== undefined) added.updated = entry.updated;
  } catch (err) {
    // A field or TOTP secret that `credential add` would refuse: name the entry, not the value.
    if (err instanceof UsageError) throw new UsageError(`${entry.source}: ${err.message}; nothing was imported`, err.hint);
    throw err;
  }
}

/**
 * Applies the import to `payload` (changing it) and returns the plan, one row per
 * credential in input order. Under `refuse`, keys the vault has are `clash` rows and
 * nothing is written to the payload at all. Throws a usage error naming the entry for a
 * credential that cannot be built.
 */
export function applyImport(payload: VaultPayload, entries: readonly ImportEntry[], policy: ConflictPolicy, now: string): PlanRow[] {
  const plan = units(entries, (entry) => entry.key ?? keyFromName(entry.name));
  const existing = new Set(payload.credentials.map((c) => c.key));
  const taken = new Set([...existing, ...plan.map((u) => u.wanted)]);
  const rows: PlanRow[] = plan.map(({ wanted, entry }) => {
    const base = { key: wanted, type: entry.type, source: entry.source };
    if (!existing.has(wanted)) return { ...base, action: 'add' };
    if (policy === 'refuse') return { ...base, action: 'clash' };
    if (policy === 'skip') return { ...base, action: 'skip' };
    if (policy === 'overwrite') return { ...base, action: 'overwrite' };
    const key = firstFree(wanted, (candidate) => taken.has(candidate));
    taken.add(key);
    return { ...base, key, action: 'rename', from: wanted };
  });
  // A clash, or a bad entry anywhere (thrown below), means the caller writes nothing:
  // it is all or nothing because the payload is sealed only after this returns.
  if (rows.some((row) => row.action === 'clash')) return rows;
  // Each key is in one row at most, so the vault's credentials by key, taken once, serve every overwrite.
  const byKey = new Map(payload.credentials.map((c) => [c.key, c]));
  const replaced = new Set<Credential>();
  rows.forEach((row, i) => {
    if (row.action === 'skip') return;
    write(payload, row.key, plan[i]!.entry, now, row.action === 'overwrite' ? byKey.get(row.key) : undefined, replaced);
  });
  if (replaced.size > 0) payload.credentials = payload.credentials.filter((c) => !replaced.has(c));
  return rows;
}

/** The error for a plan with clashes: the keys and where they came from, a few of them. */
export function clashError(rows: readonly PlanRow[], agent: string): VaultError | undefined {
  const clashes = rows.filter((row) => row.action === 'clash');
  if (clashes.length === 0) return undefined;
  const named = clashes.slice(0, 5).map((row) => `${row.key} (${row.source})`).join(', ');
  const more = clashes.length > 5 ? ` and ${clashes.length - 5} more` : '';
  return new UsageError(
    `${clashes.length} imported key(s) already exist in the vault of ${agent}: ${named}${more}; nothing was imported`,
    'choose with --on-conflict skip, overwrite or rename; see the whole plan with --dry-run',
  );
}
