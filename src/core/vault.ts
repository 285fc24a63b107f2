/**
 * The decrypted contents of one agent's vault and the operations on it. Pure: the
 * caller reads and writes the file (src/store) and passes the clock in.
 */
import { IntegrityError, NotFoundError, UsageError } from './errors.js';
import {
  checkCredentialType,
  createCredential,
  isCredentialType,
  mainField,
  searchableText,
  summarize,
  updateCredential,
  type Credential,
  type CredentialInput,
  type CredentialSummary,
  type CredentialType,
} from './credential.js';
import { typeSpec } from './credential-types.js';
import { checkCredentialKey } from './ids.js';
import { checkGrantRecords, type GrantRecord } from './grant.js';
import { checkProposalState, type ProposalState } from './proposal-state.js';
import { checkServices, type Service } from './broker/service.js';
import { checkHistory, secretValues, type CredentialHistory } from './history.js';

/**
 * The version of the payload's metadata. 2: the credentials and their history moved out
 * of the one JSON document into records of their own (vault file format v2).
 */
export const PAYLOAD_VERSION = 2;

/** The JSON payload sealed inside a vault file. */
export interface VaultPayload {
  v: typeof PAYLOAD_VERSION;
  agent: string;
  /** The vault's X25519 private key (PKCS#8 DER, base64), the pair of the header's `pub`. */
  privateKey: string;
  /**
   * The owner's Ed25519 public key (raw 32 bytes, base64), pinned at provisioning: the
   * agent accepts another agent's X25519 key only from a certificate it verifies, and
   * this authenticated copy is how an agent holding just its token knows the owner's key.
   */
  ownerSigningKey: string;
  /**
   * The HMAC keys of this vault's audit log (base64), one per key epoch, oldest first.
   * They are random rather than derived from the vault key, because `token rotate`
   * replaces the vault key and the lines written before it must still verify; rotation
   * appends a new key, so a leaked old token cannot key new lines.
   */
  auditKeys: string[];
  credentials: Credential[];
  /** Grants this vault's agent has given; absent until the first one. */
  grants?: GrantRecord[];
  /** The keys of this agent's proposals and the ids of those decided; absent until its first proposal. */
  proposals?: ProposalState;
  /** How the broker attaches this vault's credentials to its agent's requests; absent until the first one. */
  services?: Service[];
  /** Earlier versions of credentials' secret fields, by credential id (core/history.ts); absent until the first change. */
  history?: CredentialHistory;
}

/** Everything of a payload but its credentials and their history: what the vault file's index section holds. */
export type VaultMeta = Omit<VaultPayload, 'credentials' | 'history'> & { history?: CredentialHistory };

export function emptyPayload(agent: string, privateKey: string, ownerSigningKey: string, auditKey: string): VaultPayload {
  return { v: PAYLOAD_VERSION, agent, privateKey, ownerSigningKey, auditKeys: [auditKey], credentials: [] };
}

/**
 * The metadata's JSON: the payload without its credentials, and with only the history
 * of ids that are no credential's (`orphans`; each credential's own history travels in
 * its record).
 */
export function encodeMeta(payload: VaultMeta, orphans: CredentialHistory | undefined): Buffer {
  const meta = withoutRecords(payload);
  if (orphans) meta.history = orphans;
  return Buffer.from(JSON.stringify(meta));
}

/**
 * A copy of every field of a payload but `credentials` and `history`, whatever fields
 * the payload grows, without reading those two (which would load a lazy payload).
 */
function withoutRecords(payload: VaultMeta): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const name of Object.keys(payload)) if (name !== 'credentials' && name !== 'history') meta[name] = (payload as unknown as Record<string, unknown>)[name];
  return meta;
}

/** Parses authenticated metadata, checking its shape so a bug cannot silently drop data. */
export function parseMeta(bytes: Buffer, agent: string): VaultMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new IntegrityError(`vault payload of agent ${agent} is not valid JSON`);
  }
  const p = meta as Partial<VaultPayload> | null;
  if (!p || typeof p !== 'object' || p.v !== PAYLOAD_VERSION || p.agent !== agent || typeof p.privateKey !== 'string' ||
    typeof p.ownerSigningKey !== 'string' || 'credentials' in p ||
    !Array.isArray(p.auditKeys) || p.auditKeys.length === 0 || !p.auditKeys.every((k) => typeof k === 'string')) {
    throw new IntegrityError(`vault payload of agent ${agent} has an unsupported shape or version`);
  }
  if (p.grants !== undefined) checkGrantRecords(p.grants, agent);
  if (p.proposals !== undefined) checkProposalState(p.proposals, agent);
  if (p.services !== undefined) checkServices(p.services, agent);
  if (p.history !== undefined) checkHistory(p.history, agent);
  return p as VaultMeta;
}

/** One credential's record: the credential and its versions, if it has any. */
export interface CredentialRecord {
  credential: Credential;
  versions?: CredentialHistory[string];
}

/** A record's JSON text. */
export function encodeRecord(credential: Credential, versions: CredentialHistory[string] | undefined): string {
  return JSON.stringify(versions ? { c: credential, h: versions } : { c: credential });
}

/**
 * Checks one parsed record against the index entry that led to it: the credential it
 * holds must have the key and id the index gives, so the index cannot point a key at
 * another credential's record.
 */
export function checkRecord(value: unknown, agent: string, expected: { key: string; id: string }): CredentialRecord {
  const r = value as { c?: Partial<Credential>; h?: unknown } | null;
  if (!r || typeof r !== 'object' || !r.c || typeof r.c !== 'object' || r.c.key !== expected.key || r.c.id !== expected.id ||
    typeof r.c.fields !== 'object' || r.c.fields === null) {
    throw new IntegrityError(`credential record ${expected.key} of agent ${agent} does not match the vault's index`, 'restore the vault from the .bak beside it or from a backup');
  }
  if (r.h !== undefined) checkHistory({ [expected.id]: r.h as CredentialHistory[string] }, agent);
  return r.h === undefined ? { credential: r.c as Credential } : { credential: r.c as Credential, versions: r.h as CredentialHistory[string] };
}

/** The type a listing entry without `type` has: the one `credential set` makes. */
const LISTING_TYPE: CredentialType = 'api_key';

/** The secret fields a listing entry without `secretFields` has set: the main field alone, if it is secret. */
const LISTING_SECRET_FIELDS = new Map<CredentialType, readonly string[]>();

function listingSecretFields(type: CredentialType): string[] {
  let names = LISTING_SECRET_FIELDS.get(type);
  if (names === undefined) {
    const main = typeSpec(type).fields[0]!;
    names = main.secret ? [main.name] : [];
    LISTING_SECRET_FIELDS.set(type, names);
  }
  return [...names];
}

/**
 * A credential's entry in the vault's listing (man 5 VAULT FILE): its summary without
 * the key and id (the index holds them), and without every member that has its default
 * (`type` api_key, `name` "", `tags`, `uris` and `fields` empty, `updated` equal to
 * `created`, `secretFields` the main field alone when it is secret). A list decrypts and
 * parses the entry of every credential and a get reads past them, so they are kept
 * short: about 40 bytes for a credential `set` made, against 150 for the summary.
 */
export function encodeListingEntry(credential: Credential): string {
  const summary = summarize(credential);
  const entry: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(summary)) {
    if (name === 'key' || name === 'id' || (name === 'type' && value === LISTING_TYPE) || (name === 'name' && value === '') || (name === 'updated' && value === summary.created)) continue;
    if ((name === 'tags' || name === 'uris') && (value as unknown[]).length === 0) continue;
    if (name === 'fields' && Object.keys(value as object).length === 0) continue;
    if (name === 'secretFields' && (value as string[]).join('\n') === listingSecretFields(summary.type).join('\n')) continue;
    entry[name] = value;
  }
  return JSON.stringify(entry);
}

/**
 * The summary a parsed listing entry stands for, of the credential the index names
 * (`expected`), its defaults put back; an entry of another shape is exit 6.
 */
export function checkListingEntry(value: unknown, agent: string, expected: { key: string; id: string }): CredentialSummary {
  const e = value as Partial<CredentialSummary> | null;
  if (!e || typeof e !== 'object' || 'key' in e || 'id' in e || (e.type !== undefined && !isCredentialType(e.type)) || typeof e.created !== 'string' ||
    (e.fields !== undefined && (typeof e.fields !== 'object' || e.fields === null)) || (e.secretFields !== undefined && !Array.isArray(e.secretFields))) {
    throw new IntegrityError(`the listing entry of credential ${expected.key} of agent ${agent} has an unsupported shape`, 'restore the vault from the .bak beside it or from a backup');
  }
  const type = e.type ?? LISTING_TYPE;
  const summary: CredentialSummary = {
    id: expected.id,
    key: expected.key,
    type,
    name: e.name ?? '',
    tags: e.tags ?? [],
    uris: e.uris ?? [],
    fields: e.fields ?? {},
    created: e.created,
    updated: e.updated ?? e.created,
    secretFields: e.secretFields ?? listingSecretFields(type),
  };
  // Every other member (revealPolicy, policy, a field Credential gains later) reaches the list too.
  for (const name in e) if (!(name in summary)) (summary as unknown as Record<string, unknown>)[name] = (e as Record<string, unknown>)[name];
  return summary;
}

/**
 * Where the credentials of a payload come from while they are not all decrypted
 * (format/vault-file.ts): a read of one credential decrypts only its record, and a
 * write of a few credentials changes only theirs. What a write changes while the
 * payload is untouched (inserted, removed, new versions) is an overlay the source
 * keeps: `find`, `all` and `summaries` see it, and the source seals it.
 */
export interface CredentialSource {
  /**
   * The credential with this key, else with this id (or only by the one `by` names),
   * decrypting only its record; the same object on each call; inserted ones too,
   * removed ones not.
   */
  find(keyOrId: string, by?: 'key' | 'id'): Credential | undefined;
  /** Every credential, in the vault's order (found ones as the same objects), and their history with the orphans'. */
  all(): { credentials: Credential[]; history: CredentialHistory | undefined };
  /** Every credential's summary, in the vault's order, from the vault's listing: only records handed out are re-summarised. */
  summaries(): CredentialSummary[];
  /** Adds a new credential after the others. */
  insert(credential: Credential): void;
  /** Removes a credential `find` handed out or `insert` added. */
  remove(credential: Credential): void;
  /** The versions of a credential `find` handed out or `insert` added. */
  versions(credential: Credential): CredentialHistory[string] | undefined;
  /** Replaces them (`undefined`: none). */
  setVersions(credential: Credential, versions: CredentialHistory[string] | undefined): void;
  /** The credentials handed out or inserted and not removed, in the vault's order: all a write can have changed. */
  touched(): Credential[];
}

/** The source of each payload whose `credentials` and `history` have not been touched yet. */
const untouched = new WeakMap<VaultPayload, CredentialSource>();

/**
 * The secret values of each credential of a payload as it was read, by id, from when
 * {@link trackReads} was called (`null` for one inserted since): what a write's history
 * compares with.
 */
const asRead = new WeakMap<VaultPayload, Map<string, Record<string, string> | null>>();

/** Remembers the secret values of each of `credentials` as read, unless a value is already known for it. */
function noteRead(payload: VaultPayload, credentials: ReadonlyArray<Credential | undefined>): void {
  const seen = asRead.get(payload);
  if (!seen) return;
  for (const c of credentials) if (c && !seen.has(c.id)) seen.set(c.id, secretValues(c));
}

/**
 * A payload whose `credentials` and `history` are loaded from `source` the first time
 * either is read (or replaced), so code written for the whole payload keeps working;
 * until then {@link findCredential} asks the source for the one record it needs.
 */
export function lazyPayload(meta: VaultMeta, source: CredentialSource): VaultPayload {
  const payload = withoutRecords(meta) as unknown as VaultPayload;
  let loaded: ReturnType<CredentialSource['all']> | undefined;
  const load = (): ReturnType<CredentialSource['all']> => {
    untouched.delete(payload);
    if (!loaded) {
      loaded = source.all();
      // Nothing has changed a credential not handed out before: as loaded is as read.
      noteRead(payload, loaded.credentials);
    }
    return loaded;
  };
  const settle = (name: 'credentials' | 'history', value: unknown): void => {
    if (value === undefined) delete payload[name];
    else Object.defineProperty(payload, name, { value, writable: true, enumerable: true, configurable: true });
  };
  for (const name of ['credentials', 'history'] as const) {
    Object.defineProperty(payload, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = load()[name];
        settle(name, value);
        return value;
      },
      set(value: unknown) {
        untouched.delete(payload);
        settle(name, value);
      },
    });
  }
  untouched.set(payload, source);
  return payload;
}

/** The source of a lazy payload none of whose credentials or history was read or replaced, else `undefined`. */
export function untouchedSource(payload: VaultPayload): CredentialSource | undefined {
  return untouched.get(payload);
}

/**
 * From now on, remembers the secret values of every credential of a lazy payload as it
 * is first handed out (found, or loaded with all the others), so a write compares only
 * the credentials it read. Returns `false`, remembering nothing, for a payload already
 * loaded: its caller snapshots every credential.
 */
export function trackReads(payload: VaultPayload): boolean {
  if (!untouched.has(payload)) return false;
  asRead.set(payload, new Map());
  return true;
}

/** The secret values of every credential handed out since {@link trackReads}, as read, by id (inserted ones are absent). */
export function readSecrets(payload: VaultPayload): Map<string, Record<string, string>> {
  const read = new Map<string, Record<string, string>>();
  for (const [id, values] of asRead.get(payload) ?? []) if (values) read.set(id, values);
  return read;
}

/**
 * The credentials a write may have changed and their history, while the payload is
 * still untouched (only those handed out or inserted), else `undefined`.
 */
export function touchedCredentials(payload: VaultPayload): { credentials: Credential[]; history: CredentialHistory | undefined } | undefined {
  const source = untouched.get(payload);
  if (!source) return undefined;
  const credentials = source.touched();
  const history: CredentialHistory = {};
  for (const c of credentials) {
    const versions = source.versions(c);
    if (versions) history[c.id] = versions;
  }
  return { credentials, history: Object.keys(history).length > 0 ? history : undefined };
}

/**
 * Sets the versions of credentials of an untouched payload (those {@link touchedCredentials}
 * gave), else the payload's `history`.
 */
export function setHistory(payload: VaultPayload, credentials: readonly Credential[], history: CredentialHistory | undefined): void {
  const source = untouched.get(payload);
  if (source) {
    for (const c of credentials) source.setVersions(c, history?.[c.id]);
  } else if (history) {
    payload.history = history;
  } else {
    delete payload.history;
  }
}

/** The history a read of `credential` needs: its own versions while the payload is untouched, else the payload's. */
export function historyOf(payload: VaultPayload, credential: Credential): CredentialHistory | undefined {
  const source = untouched.get(payload);
  if (!source) return payload.history;
  const versions = source.versions(credential);
  return versions && { [credential.id]: versions };
}

/** Finds a credential by key, or by id. */
export function findCredential(payload: VaultPayload, keyOrId: string): Credential | undefined {
  const source = untouched.get(payload);
  if (source) {
    const found = source.find(keyOrId);
    noteRead(payload, [found]);
    return found;
  }
  return payload.credentials.find((c) => c.key === keyOrId) ?? payload.credentials.find((c) => c.id === keyOrId);
}

/** The credential with this key (`by` key) or id, and no other. */
export function findCredentialBy(payload: VaultPayload, by: 'key' | 'id', value: string): Credential | undefined {
  const source = untouched.get(payload);
  if (source) {
    const found = source.find(value, by);
    noteRead(payload, [found]);
    return found;
  }
  return payload.credentials.find((c) => c[by] === value);
}

/** Adds a new credential at the end of the vault's order (through the source's overlay while the payload is untouched). */
export function pushCredential(payload: VaultPayload, credential: Credential): void {
  const source = untouched.get(payload);
  if (source) {
    asRead.get(payload)?.set(credential.id, null);
    source.insert(credential);
  } else {
    payload.credentials.push(credential);
  }
}

/** Like {@link findCredential}, but a missing credential is a not-found error (exit 3). */
export function requireCredential(payload: VaultPayload, keyOrId: string): Credential {
  const credential = findCredential(payload, keyOrId);
  if (!credential) {
    throw new NotFoundError(`no credential ${JSON.stringify(keyOrId)} in the vault of agent ${payload.agent}`, 'list them with: agent-vault credential list');
  }
  return credential;
}

/**
 * `credential set KEY=VALUE`: creates an `api_key`, or replaces the main secret of an
 * existing credential of any type, keeping everything else.
 */
export function setMainSecret(payload: VaultPayload, key: string, value: string, now: string): { credential: Credential; created: boolean } {
  return setMainSecrets(payload, [[key, value]], now)[0]!;
}

/** Up to this many keys, a set finds each one alone rather than loading the vault. */
const LAZY_SET_KEYS = 32;

/**
 * {@link setMainSecret} for each pair in order (`credential set K=V…`, the library's
 * `set`), finding each key through one index of the vault's keys rather than a search
 * of every credential per key, so a bulk set is linear in the vault's size.
 */
export function setMainSecrets(payload: VaultPayload, pairs: ReadonlyArray<readonly [string, string]>, now: string): Array<{ credential: Credential; created: boolean }> {
  let byKey: Map<string, Credential> | undefined;
  // A few keys are found through an untouched payload's source (one record each, but a
  // pass over the index each); more through one map of every key, loading them all, so
  // a bulk set stays linear in the vault's size.
  const lazy = untouched.has(payload) && pairs.length <= LAZY_SET_KEYS;
  const existingOf = (key: string): Credential | undefined => {
    if (lazy) return findCredentialBy(payload, 'key', key);
    if (!byKey) {
      byKey = new Map();
      for (const c of payload.credentials) if (!byKey.has(c.key)) byKey.set(c.key, c);
    }
    return byKey.get(key);
  };
  return pairs.map(([key, value]) => {
    checkCredentialKey(key);
    const existing = existingOf(key);
    if (existing) {
      updateCredential(existing, { fields: { [mainField(existing)]: value } }, now);
      return { credential: existing, created: false };
    }
    const credential = createCredential(key, 'api_key', { fields: { value } }, now);
    pushCredential(payload, credential);
    byKey?.set(key, credential);
    return { credential, created: true };
  });
}

/** `credential add`: a new typed credential; the key must be free. */
export function addCredential(payload: VaultPayload, key: string, type: CredentialType | string, input: CredentialInput, now: string): Credential {
  checkCredentialType(type);
  checkCredentialKey(key);
  if (findCredentialBy(payload, 'key', key)) {
    throw new UsageError(`credential ${key} already exists`, `change it with: agent-vault credential update ${key}`);
  }
  return insertCredential(payload, key, type, input, now);
}

/**
 * {@link addCredential} for a caller that already knows the key is free (an import's
 * plan, made against every key of the vault), so that adding N credentials does not
 * search the vault N times.
 */
export function insertCredential(payload: VaultPayload, key: string, type: CredentialType | string, input: CredentialInput, now: string): Credential {
  const checkedType = checkCredentialType(type);
  checkCredentialKey(key);
  const credential = createCredential(key, checkedType, input, now);
  pushCredential(payload, credential);
  return credential;
}

/** `credential update`: changes fields and optionally renames, keeping id and creation time. */
export function changeCredential(payload: VaultPayload, keyOrId: string, input: CredentialInput & { rename?: string }, now: string): Credential {
  const credential = requireCredential(payload, keyOrId);
  if (input.rename !== undefined && input.rename !== credential.key) {
    checkCredentialKey(input.rename);
    if (findCredentialBy(payload, 'key', input.rename)) throw new UsageError(`credential ${input.rename} already exists`);
    credential.key = input.rename;
  }
  updateCredential(credential, input, now);
  return credential;
}

/** `credential delete`: removes and returns the credential. */
export function removeCredential(payload: VaultPayload, keyOrId: string): Credential {
  const credential = requireCredential(payload, keyOrId);
  const source = untouched.get(payload);
  if (source) source.remove(credential);
  else payload.credentials = payload.credentials.filter((c) => c !== credential);
  return credential;
}

/** Credentials sorted by key, optionally of one type. */
export function listCredentials<C extends Credential>(payload: { credentials: readonly C[] }, type?: CredentialType): C[] {
  return payload.credentials.filter((c) => type === undefined || c.type === type).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Like {@link listCredentials}, but summaries: from the vault's listing while nothing
 * loaded the credentials (no record is decrypted), else from the loaded credentials.
 */
export function listSummaries(payload: VaultPayload, type?: CredentialType): CredentialSummary[] {
  const source = untouched.get(payload);
  return listCredentials({ credentials: source ? source.summaries() : payload.credentials.map(summarize) }, type);
}

/** Case-insensitive match on key, name, username, URIs and tags; never on values. */
export function searchCredentials<C extends Credential>(payload: { credentials: readonly C[] }, query: string): C[] {
  const needle = query.toLowerCase();
  return listCredentials(payload).filter((c) => searchableText(c).includes(needle));
}
