/**
 * The vault file, byte-exact (see man/agent-vault.5). A short text header, then the
 * sealed index, then one sealed record per credential:
 *
 *   agent-vault/v2
 *   agent: <agent-id>
 *   created: <ISO 8601 UTC>
 *   updated: <ISO 8601 UTC>
 *   slot owner <nonce> <wrapped vault key>
 *   slot token <salt> <nonce> <wrapped vault key>
 *   pub <x25519 public key>
 *   index: <length of the sealed index>
 *   --- <index nonce>
 *   <ciphertext and tag of the index>
 *   <ciphertext and tag of record 0> <ciphertext and tag of record 1> ...
 *
 * The index is sealed with every header byte as its additional data, so a change in the
 * header fails its tag. It holds the payload's metadata (everything but the
 * credentials) and, per credential, its key, id, record length, record nonce and record
 * tag. Each record (a credential and its history) is sealed with its own fresh nonce
 * under the same key, bound to the agent and the credential id. So a read of one
 * credential opens the index and one record; a record changed, moved, swapped, cut or
 * rolled back to an older copy of itself no longer has the length, nonce or tag the
 * authenticated index names, which fails the read of that record (exit 6), and every
 * read of all records; reads of other records are not affected.
 */
import { IntegrityError } from '../core/errors.js';
import { checkRecord, encodeMeta, encodeRecord, lazyPayload, parseMeta, untouchedSource, type CredentialRecord, type CredentialSource, type VaultPayload } from '../core/vault.js';
import type { Credential } from '../core/credential.js';
import type { CredentialHistory } from '../core/history.js';
import { randomBytes } from 'node:crypto';
import { KEY_LENGTH, NONCE_LENGTH, open, seal, sealWithNonce, TAG_LENGTH } from './aead.js';
import { FormatError } from './format-error.js';
import { AGENT_ID_VALUE, base64Line, encodeHeader, headerGrammar, parseHeader, TIMESTAMP_VALUE, valueLine, type ValueRule } from './header-lines.js';
import { derivePayloadKey, deriveTokenSlotKey } from './keys.js';

export const VAULT_VERSION = 'agent-vault/v2';
/** The format before the indexed payload: never released, refused by name. */
const RETIRED_VAULT_VERSION = 'agent-vault/v1';
const SLOT_SALT_LENGTH = 16;
const WRAPPED_LENGTH = KEY_LENGTH + TAG_LENGTH;
const PUBLIC_KEY_LENGTH = 32;
/** The most bytes a sealed index may take (4 GiB, what its u32 lengths can describe). */
const MAX_INDEX_LENGTH = 0xffffffff;

/** A byte length: a decimal number without leading zeros, at least a tag's worth. */
const LENGTH_VALUE: ValueRule<number> = {
  decode(text, what) {
    if (!/^(0|[1-9]\d{0,9})$/.test(text) || Number(text) < TAG_LENGTH || Number(text) > MAX_INDEX_LENGTH) throw new FormatError(`${what} is not a byte length`);
    return Number(text);
  },
  encode: (value) => String(value),
};

const VAULT_HEADER = headerGrammar({
  kind: 'vault file',
  version: VAULT_VERSION,
  lines: [
    valueLine('agent', AGENT_ID_VALUE),
    valueLine('created', TIMESTAMP_VALUE),
    valueLine('updated', TIMESTAMP_VALUE),
    base64Line('slot owner', [['nonce', NONCE_LENGTH], ['wrapped key', WRAPPED_LENGTH]]),
    base64Line('slot token', [['salt', SLOT_SALT_LENGTH], ['nonce', NONCE_LENGTH], ['wrapped key', WRAPPED_LENGTH]]),
    base64Line('pub', [['public key', PUBLIC_KEY_LENGTH]]),
    valueLine('index', LENGTH_VALUE),
    base64Line('---', [['index nonce', NONCE_LENGTH]]),
  ],
  maxBytes: 4096,
  body: 'sealed',
});

/** The vault key wrapped by the owner key (from the store's Argon2id passphrase KDF). */
export interface OwnerSlot {
  nonce: Buffer;
  wrapped: Buffer;
}

/** The vault key wrapped by a key that HKDF derives from the agent token and `salt`. */
export interface TokenSlot {
  salt: Buffer;
  nonce: Buffer;
  wrapped: Buffer;
}

/** Everything in the header: public, but authenticated by the payload's tag. */
export interface VaultHeader {
  agent: string;
  created: string;
  updated: string;
  owner: OwnerSlot;
  token: TokenSlot;
  /** The vault's X25519 public key, to which grants are sealed. */
  publicKey: Buffer;
}

/** A vault file split into its parts; the index and records are still sealed. */
export interface ParsedVaultFile {
  header: VaultHeader;
  /** The exact header bytes, `--- <nonce>` line included: the index's additional data. */
  headerBytes: Buffer;
  indexNonce: Buffer;
  /** The sealed index: ciphertext and tag, exactly the header's `index` bytes. */
  index: Buffer;
  /** Every record, back to back, as the index lays them out. */
  records: Buffer;
}

/** The slots' additional data: the agent id, so a slot copied to another agent's vault does not open. */
function slotAad(kind: 'owner' | 'token', agent: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} slot ${kind} ${agent}`);
}

/** Wraps the vault key under the owner key, bound to `agent`. */
export function wrapOwnerSlot(ownerKey: Buffer, agent: string, vaultKey: Buffer): OwnerSlot {
  const { nonce, sealed } = seal(ownerKey, vaultKey, slotAad('owner', agent));
  return { nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the owner key does not open the slot. */
export function unwrapOwnerSlot(ownerKey: Buffer, agent: string, slot: OwnerSlot): Buffer | undefined {
  return open(ownerKey, slot.nonce, slot.wrapped, slotAad('owner', agent));
}

/** Wraps the vault key under the key of a token secret and a fresh slot salt, bound to `agent`. */
export function wrapTokenSlot(tokenSecret: Buffer, agent: string, vaultKey: Buffer): TokenSlot {
  const slotSalt = randomBytes(SLOT_SALT_LENGTH);
  const { nonce, sealed } = seal(deriveTokenSlotKey(tokenSecret, agent, slotSalt), vaultKey, slotAad('token', agent));
  return { salt: slotSalt, nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the token does not open the slot. */
export function unwrapTokenSlot(tokenSecret: Buffer, agent: string, slot: TokenSlot): Buffer | undefined {
  return open(deriveTokenSlotKey(tokenSecret, agent, slot.salt), slot.nonce, slot.wrapped, slotAad('token', agent));
}

/** The header's bytes, `index` and `--- <index nonce>` lines included: the index's additional data. */
export function encodeVaultHeader(header: VaultHeader, indexLength: number, indexNonce: Buffer): Buffer {
  return encodeHeader(VAULT_HEADER, {
    agent: header.agent,
    created: header.created,
    updated: header.updated,
    'slot owner': [header.owner.nonce, header.owner.wrapped],
    'slot token': [header.token.salt, header.token.nonce, header.token.wrapped],
    pub: [header.publicKey],
    index: indexLength,
    '---': [indexNonce],
  });
}

/**
 * Parses a vault file strictly: the exact version line, every header line in order,
 * canonical base64 of the right lengths, an index that fits the file. Anything else is
 * a {@link FormatError} (exit 6); a v1 file is refused by name.
 */
export function parseVaultFile(bytes: Buffer): ParsedVaultFile {
  if (bytes.subarray(0, RETIRED_VAULT_VERSION.length + 1).equals(Buffer.from(`${RETIRED_VAULT_VERSION}\n`))) {
    throw new FormatError(
      `the vault file is format ${RETIRED_VAULT_VERSION}, which this version of agent-vault does not read (it needs ${VAULT_VERSION})`,
      'that format was never released: export each vault with the agent-vault that made it, then init a new store and import them',
    );
  }
  const { values, end } = parseHeader(VAULT_HEADER, bytes);
  const [ownerNonce, ownerWrapped] = values['slot owner'];
  const [tokenSalt, tokenNonce, tokenWrapped] = values['slot token'];
  if (bytes.length - end < values.index) throw new FormatError('vault file index is truncated');
  return {
    header: {
      agent: values.agent,
      created: values.created,
      updated: values.updated,
      owner: { nonce: ownerNonce, wrapped: ownerWrapped },
      token: { salt: tokenSalt, nonce: tokenNonce, wrapped: tokenWrapped },
      publicKey: values.pub[0],
    },
    headerBytes: bytes.subarray(0, end),
    indexNonce: values['---'][0],
    index: bytes.subarray(end, end + values.index),
    records: bytes.subarray(end + values.index),
  };
}

const damaged = (agent: string, what: string): IntegrityError =>
  new IntegrityError(`vault file of agent ${agent} failed authentication (${what}): it was altered or is corrupt`, 'restore it from the .bak beside it or from a backup');

/** A record's additional data: the agent and the credential id, so a record opens only in its own place. */
function recordAad(agent: string, id: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} record ${agent} ${id}`);
}

/** One record as the index describes it. */
interface IndexEntry {
  key: string;
  id: string;
  /** Where the record starts in the records region, and its length (ciphertext and tag). */
  offset: number;
  length: number;
  nonce: Buffer;
  tag: Buffer;
}

/** A record ready to be written: its index entry's fields and its sealed bytes. */
interface SealedRecord {
  key: string;
  id: string;
  nonce: Buffer;
  sealed: Buffer;
}

// The index's plaintext, all integers big-endian:
//   u32 meta length | meta JSON | u32 record count | entry…
//   entry: u8 key length | key | u8 id length | id | u32 record length | nonce (12) | tag (16)
const ENTRY_FIXED = 1 + 1 + 4 + NONCE_LENGTH + TAG_LENGTH;

function encodeIndex(meta: Buffer, records: readonly SealedRecord[]): Buffer {
  let size = 4 + meta.length + 4;
  for (const r of records) size += ENTRY_FIXED + r.key.length + r.id.length;
  const out = Buffer.alloc(size);
  let p = out.writeUInt32BE(meta.length, 0);
  p += meta.copy(out, p);
  p = out.writeUInt32BE(records.length, p);
  for (const r of records) {
    // Keys are at most 128 ASCII characters and ids short ASCII (core/ids.ts): one byte of length each.
    if (r.key.length > 0xff || r.id.length > 0xff || Buffer.byteLength(r.key) !== r.key.length || Buffer.byteLength(r.id) !== r.id.length) {
      throw new FormatError(`credential ${JSON.stringify(r.key.slice(0, 80))} has a key or id the vault index cannot hold`);
    }
    p = out.writeUInt8(r.key.length, p);
    p += out.write(r.key, p, 'latin1');
    p = out.writeUInt8(r.id.length, p);
    p += out.write(r.id, p, 'latin1');
    p = out.writeUInt32BE(r.sealed.length, p);
    p += r.nonce.copy(out, p);
    p += r.sealed.copy(out, p, r.sealed.length - TAG_LENGTH);
  }
  return out;
}

/**
 * The decrypted index of one vault and its sealed records: a {@link CredentialSource}
 * that decrypts a record only when it is asked for, and remembers what it decrypted so
 * a write can keep unchanged records as they are.
 */
class VaultRecords implements CredentialSource {
  /** Where the entries start in `index`, and how many there are. */
  private readonly entriesStart: number;
  private readonly count: number;
  /** Records decrypted so far, by position, with the exact text they held. */
  private readonly opened = new Map<number, { record: CredentialRecord; text: string }>();

  constructor(
    readonly agent: string,
    readonly vaultKey: Buffer,
    private readonly payloadKey: Buffer,
    readonly meta: ReturnType<typeof parseMeta>,
    private readonly index: Buffer,
    entriesStart: number,
    private readonly records: Buffer,
  ) {
    if (index.length < entriesStart + 4) throw damaged(agent, 'index');
    this.count = index.readUInt32BE(entriesStart);
    this.entriesStart = entriesStart + 4;
    // One pass over the whole index on every open: it must describe exactly the
    // records region, so a cut, extended or spliced file is noticed by any read.
    let total = 0;
    let p = this.entriesStart;
    for (let i = 0; i < this.count; i++) {
      if (p + ENTRY_FIXED > index.length) throw damaged(agent, 'index');
      const keyLength = index[p]!;
      const idLength = index[p + 1 + keyLength];
      if (idLength === undefined) throw damaged(agent, 'index');
      const lengthAt = p + 2 + keyLength + idLength;
      if (lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH > index.length) throw damaged(agent, 'index');
      const length = index.readUInt32BE(lengthAt);
      if (length < TAG_LENGTH) throw damaged(agent, 'index');
      total += length;
      p = lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH;
    }
    if (p !== index.length) throw damaged(agent, 'index');
    if (total !== records.length) throw damaged(agent, total > records.length ? 'the file is truncated' : 'bytes after the last record');
  }

  /** Every entry, in order. */
  private *entries(): Generator<IndexEntry> {
    const index = this.index;
    let p = this.entriesStart;
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      const keyLength = index[p]!;
      const key = index.toString('latin1', p + 1, p + 1 + keyLength);
      const idAt = p + 1 + keyLength;
      const id = index.toString('latin1', idAt + 1, idAt + 1 + index[idAt]!);
      const lengthAt = idAt + 1 + index[idAt]!;
      const length = index.readUInt32BE(lengthAt);
      const nonce = index.subarray(lengthAt + 4, lengthAt + 4 + NONCE_LENGTH);
      const tag = index.subarray(lengthAt + 4 + NONCE_LENGTH, lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH);
      yield { key, id, offset, length, nonce, tag };
      offset += length;
      p = lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH;
    }
  }

  /**
   * The position and entry of the first record whose key (`field` 0) or id (1) is
   * `wanted`, comparing bytes in place: the hot path of a token read, which must not
   * build a string per credential.
   */
  private locate(wanted: Buffer, field: 0 | 1): { position: number; entry: IndexEntry } | undefined {
    const index = this.index;
    let p = this.entriesStart;
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      const keyLength = index[p]!;
      const idAt = p + 1 + keyLength;
      const idLength = index[idAt]!;
      const lengthAt = idAt + 1 + idLength;
      const length = index.readUInt32BE(lengthAt);
      const [at, size] = field === 0 ? [p + 1, keyLength] : [idAt + 1, idLength];
      if (size === wanted.length && index[at] === wanted[0] && index.subarray(at, at + size).equals(wanted)) {
        const key = index.toString('latin1', p + 1, p + 1 + keyLength);
        const id = index.toString('latin1', idAt + 1, idAt + 1 + idLength);
        const nonce = index.subarray(lengthAt + 4, lengthAt + 4 + NONCE_LENGTH);
        const tag = index.subarray(lengthAt + 4 + NONCE_LENGTH, lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH);
        return { position: i, entry: { key, id, offset, length, nonce, tag } };
      }
      offset += length;
      p = lengthAt + 4 + NONCE_LENGTH + TAG_LENGTH;
    }
    return undefined;
  }

  /** Decrypts and checks the record at `position`, once. */
  private open(position: number, entry: IndexEntry): { record: CredentialRecord; text: string } {
    const known = this.opened.get(position);
    if (known) return known;
    const sealed = this.records.subarray(entry.offset, entry.offset + entry.length);
    // The tag the index names must be the record's: an older copy of the record (other
    // nonce, other tag) or another record moved here does not pass, even if it would open.
    const plaintext = sealed.subarray(sealed.length - TAG_LENGTH).equals(entry.tag) ? open(this.payloadKey, entry.nonce, sealed, recordAad(this.agent, entry.id)) : undefined;
    if (!plaintext) throw damaged(this.agent, `record of ${entry.key}`);
    const text = plaintext.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw damaged(this.agent, `record of ${entry.key}`);
    }
    const opened = { record: checkRecord(value, this.agent, entry), text };
    this.opened.set(position, opened);
    return opened;
  }

  find(keyOrId: string): Credential | undefined {
    const wanted = Buffer.from(keyOrId, 'utf8');
    if (wanted.length === 0) return undefined;
    const found = this.locate(wanted, 0) ?? this.locate(wanted, 1);
    return found && this.open(found.position, found.entry).record.credential;
  }

  all(): { credentials: Credential[]; history: CredentialHistory | undefined } {
    const credentials: Credential[] = [];
    const history: CredentialHistory = { ...this.meta.history };
    const keys = new Set<string>();
    const ids = new Set<string>();
    let position = 0;
    for (const entry of this.entries()) {
      if (keys.has(entry.key) || ids.has(entry.id)) throw damaged(this.agent, 'index');
      keys.add(entry.key);
      ids.add(entry.id);
      const { record } = this.open(position, entry);
      credentials.push(record.credential);
      if (record.versions) history[entry.id] = record.versions;
      position += 1;
    }
    return { credentials, history: Object.keys(history).length > 0 ? history : undefined };
  }

  /**
   * The records of `credentials` sealed for writing: a record whose text is exactly
   * what was decrypted keeps its bytes (its nonce is not reused for anything new);
   * every other is sealed with a fresh nonce.
   */
  reseal(credentials: readonly Credential[] | undefined, history: CredentialHistory | undefined): SealedRecord[] {
    const out: SealedRecord[] = [];
    if (credentials === undefined) {
      // Nothing read every record: those never decrypted are unchanged, as they are.
      let position = 0;
      for (const entry of this.entries()) {
        const known = this.opened.get(position);
        if (known) out.push(sealRecord(this.payloadKey, this.agent, known.record.credential, known.record.versions, this.reusable(entry, known.text)));
        else out.push({ key: entry.key, id: entry.id, nonce: Buffer.from(entry.nonce), sealed: this.records.subarray(entry.offset, entry.offset + entry.length) });
        position += 1;
      }
      return out;
    }
    const previous = new Map<string, { position: number; entry: IndexEntry }>();
    let position = 0;
    for (const entry of this.entries()) previous.set(entry.id, { position: position++, entry });
    for (const credential of credentials) {
      const before = previous.get(credential.id);
      const known = before && this.opened.get(before.position);
      out.push(sealRecord(this.payloadKey, this.agent, credential, history?.[credential.id], before && known ? this.reusable(before.entry, known.text) : undefined));
    }
    return out;
  }

  /** The record as it is in the file, for {@link sealRecord} to keep if its text did not change. */
  private reusable(entry: IndexEntry, text: string): { text: string; nonce: Buffer; sealed: Buffer } {
    return { text, nonce: Buffer.from(entry.nonce), sealed: this.records.subarray(entry.offset, entry.offset + entry.length) };
  }
}

/** Seals one record, or keeps `previous` when the record's text is the one it holds. */
function sealRecord(
  payloadKey: Buffer,
  agent: string,
  credential: Credential,
  versions: CredentialHistory[string] | undefined,
  previous: { text: string; nonce: Buffer; sealed: Buffer } | undefined,
): SealedRecord {
  const text = encodeRecord(credential, versions);
  if (previous && previous.text === text) return { key: credential.key, id: credential.id, nonce: previous.nonce, sealed: previous.sealed };
  const { nonce, sealed } = seal(payloadKey, Buffer.from(text), recordAad(agent, credential.id));
  return { key: credential.key, id: credential.id, nonce, sealed };
}

/** The source behind each payload {@link openVault} returned, for {@link encodeVaultFile} to reuse. */
const sources = new WeakMap<VaultPayload, VaultRecords>();

/**
 * Opens a vault: authenticates the header and the index and returns the payload, whose
 * credentials are decrypted only when read (one record for a lookup by key or id,
 * every record for anything that reads `credentials` or `history`). An index that does
 * not open, or does not describe the file's records exactly, is exit 6 here.
 */
export function openVault(file: ParsedVaultFile, vaultKey: Buffer): VaultPayload {
  const agent = file.header.agent;
  const payloadKey = derivePayloadKey(vaultKey);
  const index = open(payloadKey, file.indexNonce, file.index, file.headerBytes);
  if (!index || index.length < 4 || index.readUInt32BE(0) > index.length - 4) throw damaged(agent, 'header or index');
  const metaEnd = 4 + index.readUInt32BE(0);
  const meta = parseMeta(index.subarray(4, metaEnd), agent);
  const source = new VaultRecords(agent, vaultKey, payloadKey, meta, index, metaEnd, file.records);
  const payload = lazyPayload(meta, source);
  sources.set(payload, source);
  return payload;
}

/**
 * Seals `payload` under the vault key and returns the whole file. Records of a payload
 * {@link openVault} returned under the same vault key are kept byte for byte when
 * their text did not change; every other record, and the index, get fresh nonces.
 */
export function encodeVaultFile(header: VaultHeader, vaultKey: Buffer, payload: VaultPayload): Buffer {
  const payloadKey = derivePayloadKey(vaultKey);
  const known = sources.get(payload);
  const source = known && known.vaultKey.equals(vaultKey) ? known : undefined;
  let records: SealedRecord[];
  let orphans: CredentialHistory | undefined;
  if (source && untouchedSource(payload) === source) {
    records = source.reseal(undefined, undefined);
    orphans = source.meta.history;
  } else {
    const { credentials, history } = payload;
    records = source ? source.reseal(credentials, history) : credentials.map((c) => sealRecord(payloadKey, payload.agent, c, history?.[c.id], undefined));
    const ids = new Set(credentials.map((c) => c.id));
    const left = Object.entries(history ?? {}).filter(([id]) => !ids.has(id));
    orphans = left.length > 0 ? Object.fromEntries(left) : undefined;
  }
  const index = encodeIndex(encodeMeta(payload, orphans), records);
  // The nonce is part of the additional data, so it is drawn before sealing.
  const indexNonce = randomBytes(NONCE_LENGTH);
  const headerBytes = encodeVaultHeader(header, index.length + TAG_LENGTH, indexNonce);
  return Buffer.concat([headerBytes, sealWithNonce(payloadKey, indexNonce, index, headerBytes), ...records.map((r) => r.sealed)]);
}
