/**
 * Credential history: every change of a secret field keeps the previous values as a
 * version, inside the vault payload (so sealed like everything else in it), never in
 * a grant. Versions are numbered from 1; the newest entry is the current version,
 * whose values are the credential's own fields, and the entries before it carry the
 * secret values they had. Pure.
 */
import { IntegrityError, NotFoundError } from './errors.js';
import { isSecretField, mainField, type Credential } from './credential.js';

/** How many earlier versions are kept besides the current one. */
export const KEPT_VERSIONS = 10;

/** One version of a credential's secret fields. */
export interface CredentialVersion {
  version: number;
  /** When this version became current (UTC, ISO 8601). */
  time: string;
  /** Who made it current: `owner`, `agent:<id>`, or `unknown` for versions from before history was kept. */
  actor: string;
  /** The secret fields this version changed from the one before it. */
  fields: string[];
  /** The secret values of this version; absent on the current version (its values are the credential's). */
  values?: Record<string, string>;
  /** The version this one restored, for a version made by `credential restore`. */
  restored?: number;
}

/** Every credential's versions by credential id, as kept in the payload; absent for none. */
export type CredentialHistory = Record<string, CredentialVersion[]>;

/** The secret fields of a credential, as a version keeps them. */
export function secretValues(credential: Credential): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(credential.fields)) if (isSecretField(credential.type, name)) values[name] = value;
  return values;
}

/** The secret values of every credential, by id: what {@link recordChanges} compares with. */
export function snapshotSecrets(credentials: readonly Credential[]): Map<string, Record<string, string>> {
  return new Map(credentials.map((c) => [c.id, secretValues(c)]));
}

function changedFields(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]).sort();
}

/**
 * After a write changed credentials: each credential whose secret fields differ from
 * `before` gets a new current version, the values it replaced kept in the entry
 * before it, and the oldest versions beyond {@link KEPT_VERSIONS} dropped. Deleted
 * credentials lose their history. Returns the ids of credentials that got a version.
 */
export function recordChanges(
  history: CredentialHistory | undefined,
  credentials: readonly Credential[],
  before: Map<string, Record<string, string>>,
  change: { now: string; actor: string; restored?: number },
): { history: CredentialHistory | undefined; changed: string[] } {
  const next: CredentialHistory = {};
  const changed: string[] = [];
  for (const credential of credentials) {
    const versions = [...(history?.[credential.id] ?? [])];
    const after = secretValues(credential);
    const old = before.get(credential.id);
    const fields = old === undefined ? Object.keys(after).sort() : changedFields(old, after);
    if (old === undefined && versions.length === 0) {
      // A new credential: its first version.
      versions.push({ version: 1, time: change.now, actor: change.actor, fields });
    } else if (fields.length > 0) {
      // A credential from before history was kept starts with the version it had.
      if (versions.length === 0) versions.push({ version: 1, time: credential.created, actor: 'unknown', fields: Object.keys(old!).sort() });
      const current = versions[versions.length - 1]!;
      versions[versions.length - 1] = { ...current, values: old ?? {} };
      versions.push({ version: current.version + 1, time: change.now, actor: change.actor, fields, ...(change.restored === undefined ? {} : { restored: change.restored }) });
      changed.push(credential.id);
    }
    if (versions.length > 0) next[credential.id] = versions.slice(-(KEPT_VERSIONS + 1));
  }
  return { history: Object.keys(next).length > 0 ? next : undefined, changed };
}

/**
 * A credential's versions, newest first, the current one included (with its values
 * from the credential itself). A credential from before history was kept has one.
 */
export function versionsOf(history: CredentialHistory | undefined, credential: Credential): Array<CredentialVersion & { current: boolean; values: Record<string, string> }> {
  const versions = history?.[credential.id] ?? [{ version: 1, time: credential.created, actor: 'unknown', fields: Object.keys(secretValues(credential)).sort() }];
  return versions
    .map((v, i) => ({ ...v, current: i === versions.length - 1, values: i === versions.length - 1 ? secretValues(credential) : (v.values ?? {}) }))
    .reverse();
}

/** The secret values of version `n` of a credential; a version not kept is exit 3. */
export function versionValues(history: CredentialHistory | undefined, credential: Credential, n: number): Record<string, string> {
  const found = versionsOf(history, credential).find((v) => v.version === n);
  if (!found) throw new NotFoundError(`credential ${credential.key} has no version ${n}`, `list its versions with: agent-vault credential history ${credential.key}`);
  return found.values;
}

/** When the main secret of a credential last changed: the time of the newest version that changed it, else its creation. */
export function mainSecretChanged(history: CredentialHistory | undefined, credential: Credential): string {
  const main = mainField(credential);
  const versions = history?.[credential.id] ?? [];
  for (let i = versions.length - 1; i >= 0; i -= 1) if (versions[i]!.fields.includes(main)) return versions[i]!.time;
  return credential.created;
}

/** Checks the shape of the `history` read from a payload. */
export function checkHistory(value: unknown, agent: string): CredentialHistory {
  const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const isValues = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((s) => typeof s === 'string');
  const ok =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value as object).every(
      (versions: unknown) =>
        Array.isArray(versions) &&
        versions.every(
          (v: Partial<CredentialVersion> | null) =>
            v !== null &&
            typeof v === 'object' &&
            Number.isInteger(v.version) &&
            typeof v.time === 'string' &&
            typeof v.actor === 'string' &&
            isStrings(v.fields) &&
            (v.values === undefined || isValues(v.values)) &&
            (v.restored === undefined || Number.isInteger(v.restored)),
        ),
    );
  if (!ok) throw new IntegrityError(`vault payload of agent ${agent} has a malformed credential history`);
  return value as CredentialHistory;
}
