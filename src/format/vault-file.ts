/**
 * The vault file, byte-exact (see man/agent-vault.5). A short text header, then the
 * sealed index, then the sealed blocks of records:
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
 *   <ciphertext and tag of the listing>
 *   <ciphertext and tag of block 0> <ciphertext and tag of block 1> ...
 *
 * The index is sealed with every header byte as its additional data, so a change in the
 * header fails its tag. It holds the payload's metadata (everything but the
 * credentials), the length, nonce and tag of the listing and of each block, and per
 * credential its key, id, block and place inside the block. The listing holds each
 * credential without its secret values (what `credential list` prints), so a list
 * opens the index and the listing and no block. A block (up to 64 records, each a
 * credential and its history) is sealed with its own fresh nonce under the same key,
 * bound to the agent. So a read of one credential opens the index and one block and
 * parses one record; a block changed, moved, swapped, cut or rolled back to an older
 * copy of itself no longer has the length or tag the authenticated index names, which
 * fails the reads of its credentials (exit 6) and every read of all of them; reads of
 * other blocks' credentials, and lists, are not affected. Every read compares the
 * listing's tag with the index's; only the reads that open the listing (lists, and
 * every read of all records) notice a changed byte inside its ciphertext.
 *
 * A write of a few credentials decrypts only their blocks (and the last one, for a new
 * record): the other blocks, their index entries and their records' listing lines are
 * copied as bytes, each kept block's tag compared with the index's (man 5 WRITING).
 */
import { IntegrityError } from '../core/errors.js';
import {
  checkListingEntry,
  checkRecord,
  encodeListingEntry,
  encodeMeta,
  encodeRecord,
  lazyPayload,
  parseMeta,
  untouchedSource,
  type CredentialRecord,
  type CredentialSource,
  type VaultMeta,
  type VaultPayload,
} from '../core/vault.js';
import type { Credential, CredentialSummary } from '../core/credential.js';
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

/**
 * A vault file's bytes: a Buffer holding the whole file, or a file read in parts on
 * demand (store/file-bytes.ts), so a read of one credential reads the header, the
 * index, the listing's tag and one block, not the listing and every block. `subarray`
 * gives the bytes in [start, end), fewer only when the file is shorter than its length
 * said (which fails their tag).
 */
export interface VaultFileBytes {
  readonly length: number;
  subarray(start: number, end: number): Buffer;
  /**
   * Copies the bytes in [sourceStart, sourceEnd) into `target` at `targetStart` (as
   * Buffer's `copy` does), returning how many it copied: a write copies the blocks it
   * keeps straight into the new file, without a buffer of their own.
   */
  copy(target: Buffer, targetStart: number, sourceStart: number, sourceEnd: number): number;
}

/** A vault file split into its parts; the index and records are still sealed. */
export interface ParsedVaultFile {
  header: VaultHeader;
  /** The exact header bytes, `--- <nonce>` line included: the index's additional data. */
  headerBytes: Buffer;
  indexNonce: Buffer;
  /** The sealed index: ciphertext and tag, exactly the header's `index` bytes. */
  index: Buffer;
  /** The sealed listing, then every block of records, back to back, as the index lays them out. */
  blocks: VaultFileBytes;
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
export function parseVaultFile(bytes: VaultFileBytes): ParsedVaultFile {
  if (bytes.subarray(0, RETIRED_VAULT_VERSION.length + 1).equals(Buffer.from(`${RETIRED_VAULT_VERSION}\n`))) {
    throw new FormatError(
      `the vault file is format ${RETIRED_VAULT_VERSION}, which this version of agent-vault does not read (it needs ${VAULT_VERSION})`,
      'that format was never released: export each vault with the agent-vault that made it, then init a new store and import them',
    );
  }
  // The header's longest allowed form and a tag: all the parser looks at.
  const { values, end } = parseHeader(VAULT_HEADER, bytes.subarray(0, Math.min(bytes.length, VAULT_HEADER.maxBytes + TAG_LENGTH)));
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
    blocks: bytesFrom(bytes, end + values.index),
  };
}

/** The bytes of `bytes` from `start` to its end, read only when asked for. */
function bytesFrom(bytes: VaultFileBytes, start: number): VaultFileBytes {
  if (Buffer.isBuffer(bytes)) return bytes.subarray(start);
  return {
    length: bytes.length - start,
    subarray: (from, to) => bytes.subarray(start + from, start + to),
    copy: (target, targetStart, from, to) => bytes.copy(target, targetStart, start + from, start + to),
  };
}

const damaged = (agent: string, what: string): IntegrityError =>
  new IntegrityError(`vault file of agent ${agent} failed authentication (${what}): it was altered or is corrupt`, 'restore it from the .bak beside it or from a backup');

/** A block's additional data: the agent, so a block opens only in its own agent's vault. */
function blockAad(agent: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} block ${agent}`);
}

/** The listing's additional data: the agent, and a word no block has, so a block cannot stand for the listing. */
function listingAad(agent: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} listing ${agent}`);
}

/**
 * At most this many records, and about this many plaintext bytes, go in one block.
 * Blocks rather than one seal per record because creating an AES-GCM context costs
 * several microseconds in Node: 100,000 of them made a full read slower than parsing
 * the old single payload, while a get still decrypts only a few KiB.
 */
const BLOCK_RECORDS = 64;
const BLOCK_BYTES = 64 * 1024;

/** Whether a block of `records` records, `bytes` of text so far, takes one more of `text` characters. */
function hasRoom(records: number, bytes: number, text: number): boolean {
  return records < BLOCK_RECORDS && bytes + text < BLOCK_BYTES;
}

// The index's plaintext, all integers big-endian:
//   u32 meta length | meta JSON
//   listing: u32 sealed length | nonce (12) | tag (16)
//   u32 block count | block: u32 sealed length | nonce (12) | tag (16)
//   u32 record count | record: u8 key length | key | u8 id length | id | u32 block | u32 offset | u32 length
// The listing's plaintext is one entry per record, in the index's order, joined by a
// comma and a newline (core/vault.ts encodeListingEntry): the inside of a JSON array. The records' entries come block by block. A block's plaintext is the JSON array of its
// records, `[r,r,…]`; a record's offset and length locate its text inside that
// plaintext, so a get parses only the one record.
//
// The listing is a section of its own rather than part of the index because every read
// decrypts the whole index: at 100,000 credentials the listing is about as long as the
// index again (4 MB), which a get would decrypt for nothing.
const BLOCK_ENTRY = 4 + NONCE_LENGTH + TAG_LENGTH;
/** The listing's entry in the index: the same shape as a block's. */
const LISTING_ENTRY = BLOCK_ENTRY;

/**
 * The big-endian u32 at `at` of the index, whose bounds the caller checked. Buffer's
 * readUInt32BE validates its offset on each call: the pass over the index that every
 * open makes read 30,000 of them at 10,000 credentials, a few milliseconds of a list.
 */
function u32(bytes: Buffer, at: number): number {
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/** One record's place, as the index gives it. */
interface RecordEntry {
  key: string;
  id: string;
  block: number;
  offset: number;
  length: number;
}

/** The index's entry whose key length byte is at `p`, id length byte at `idAt` and place at `blockAt`. */
function entryAt(index: Buffer, p: number, idAt: number, blockAt: number): RecordEntry {
  return {
    key: index.toString('latin1', p + 1, idAt),
    id: index.toString('latin1', idAt + 1, blockAt),
    block: u32(index, blockAt),
    offset: u32(index, blockAt + 4),
    length: u32(index, blockAt + 8),
  };
}

/** A block ready to be written: its records' entries (offsets inside it) and its sealed bytes. */
interface SealedBlock {
  /** Its records' entries, or, for a block kept as it is, their bytes in the index read (block numbers to be set). */
  records: Array<{ key: string; id: string; offset: number; length: number }> | RawEntries;
  nonce: Buffer;
  /** Its ciphertext and tag, or, for a block kept as it is, where they are in the blocks read. */
  sealed: Buffer | KeptBytes;
}

/** A run of record entries copied from an index: `count` of them in `bytes`, each naming block `block`. */
interface RawEntries {
  bytes: Buffer;
  count: number;
  block: number;
}

/** A kept block's number and place in the blocks of the file read, and the tag the index read names for it. */
interface KeptBytes {
  block: number;
  at: number;
  length: number;
  tag: Buffer;
}

/** The tag of a sealed block or listing. */
function tagOf(sealed: Buffer | KeptBytes): Buffer {
  return Buffer.isBuffer(sealed) ? sealed.subarray(sealed.length - TAG_LENGTH) : sealed.tag;
}

/** The sealed listing, ready to be written. */
interface SealedListing {
  nonce: Buffer;
  sealed: Buffer;
}

function encodeIndex(meta: Buffer, listing: SealedListing, blocks: readonly SealedBlock[]): Buffer {
  let size = 4 + meta.length + LISTING_ENTRY + 4 + blocks.length * BLOCK_ENTRY + 4;
  let count = 0;
  for (const b of blocks) {
    if (!Array.isArray(b.records)) {
      size += b.records.bytes.length;
      count += b.records.count;
      continue;
    }
    for (const r of b.records) {
      // Keys are at most 128 ASCII characters and ids short ASCII (core/ids.ts): one byte of length each.
      if (r.key.length > 0xff || r.id.length > 0xff || Buffer.byteLength(r.key) !== r.key.length || Buffer.byteLength(r.id) !== r.id.length) {
        throw new FormatError(`credential ${JSON.stringify(r.key.slice(0, 80))} has a key or id the vault index cannot hold`);
      }
      size += 2 + r.key.length + r.id.length + 12;
      count += 1;
    }
  }
  const out = Buffer.alloc(size);
  let p = out.writeUInt32BE(meta.length, 0);
  p += meta.copy(out, p);
  p = out.writeUInt32BE(listing.sealed.length, p);
  p += listing.nonce.copy(out, p);
  p += listing.sealed.copy(out, p, listing.sealed.length - TAG_LENGTH);
  p = out.writeUInt32BE(blocks.length, p);
  for (const b of blocks) {
    p = out.writeUInt32BE(b.sealed.length, p);
    p += b.nonce.copy(out, p);
    p += tagOf(b.sealed).copy(out, p);
  }
  p = out.writeUInt32BE(count, p);
  blocks.forEach((b, number) => {
    if (!Array.isArray(b.records)) {
      const start = p;
      p += b.records.bytes.copy(out, p);
      if (b.records.block === number) return;
      // Each entry names its block: set to this block's new number, the rest as it was.
      for (let at = start, i = 0; i < b.records.count; i++) {
        const blockAt = at + 1 + out[at]! + 1 + out[at + 1 + out[at]!]!;
        out.writeUInt32BE(number, blockAt);
        at = blockAt + 12;
      }
      return;
    }
    for (const r of b.records) {
      p = out.writeUInt8(r.key.length, p);
      p += out.write(r.key, p, 'latin1');
      p = out.writeUInt8(r.id.length, p);
      p += out.write(r.id, p, 'latin1');
      p = out.writeUInt32BE(number, p);
      p = out.writeUInt32BE(r.offset, p);
      p = out.writeUInt32BE(r.length, p);
    }
  });
  return out;
}

/** Each record's offset and length inside the block `[text,text,…]` of `records`. */
function placesOf(records: ReadonlyArray<{ key: string; id: string; text: string }>): SealedBlock['records'] {
  const entries: SealedBlock['records'] = [];
  let offset = 1;
  for (const r of records) {
    const length = Buffer.byteLength(r.text);
    entries.push({ key: r.key, id: r.id, offset, length });
    offset += length + 1;
  }
  return entries;
}

/** Seals records (their texts) as one block, each record's offset and length inside it. */
function sealBlock(payloadKey: Buffer, agent: string, records: ReadonlyArray<{ key: string; id: string; text: string }>): SealedBlock {
  const entries = placesOf(records);
  const plaintext = Buffer.from(`[${records.map((r) => r.text).join(',')}]`);
  const { nonce, sealed } = seal(payloadKey, plaintext, blockAad(agent));
  return { records: entries, nonce, sealed };
}

/** Seals a listing's text under a fresh nonce. */
function sealListing(payloadKey: Buffer, agent: string, text: string): SealedListing {
  return seal(payloadKey, Buffer.from(text), listingAad(agent));
}

/**
 * Between two entries of the listing: a comma and a newline. JSON.stringify never
 * writes a raw newline, so the pair is found only between entries: a write finds the
 * entries it changes by their line, and a list parses the text, put between brackets,
 * as the one JSON array it is.
 */
const SEPARATOR = Buffer.from(',\n');

/** The listing's text: one entry per credential, in the order given, one to a line. */
function listingText(entries: readonly string[]): string {
  return entries.join(',\n');
}

/**
 * The listing `plaintext` of `count` entries with the entry at each position of
 * `replaced` (ascending, each below `count`) replaced by its text, or dropped for
 * `undefined`, and `appended` after the last; `undefined` when it does not hold `count`
 * lines. Untouched lines are copied as bytes, never parsed.
 */
function editListing(plaintext: Buffer, count: number, replaced: ReadonlyArray<readonly [number, string | undefined]>, appended: readonly string[]): Buffer | undefined {
  const step = SEPARATOR.length;
  let separators = 0;
  for (let at = plaintext.indexOf(SEPARATOR); at !== -1; at = plaintext.indexOf(SEPARATOR, at + step)) separators += 1;
  if (count === 0 ? plaintext.length > 0 : separators !== count - 1) return undefined;
  const pieces: Buffer[] = [];
  let line = 0;
  let start = 0;
  // The start of the first line neither copied nor replaced yet.
  let keptFrom = 0;
  for (const [position, text] of replaced) {
    for (; line < position; line++) start = plaintext.indexOf(SEPARATOR, start) + step;
    if (start > keptFrom) pieces.push(plaintext.subarray(keptFrom, start - step));
    if (text !== undefined) pieces.push(Buffer.from(text));
    const end = plaintext.indexOf(SEPARATOR, start);
    keptFrom = end === -1 ? plaintext.length : end + step;
  }
  if (keptFrom < plaintext.length) pieces.push(plaintext.subarray(keptFrom));
  for (const text of appended) pieces.push(Buffer.from(text));
  const joined: Buffer[] = [];
  for (const piece of pieces) {
    if (joined.length > 0) joined.push(SEPARATOR);
    joined.push(piece);
  }
  return Buffer.concat(joined);
}

/** Whether `bytes[start, end)` spells `text`, an ASCII string, byte for byte. */
function sameAscii(bytes: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A decrypted block: its text, its records parsed (once, when all are needed). */
interface OpenedBlock {
  /** Dropped once every block is parsed (the text then stands for it), to halve what a full read holds. */
  plaintext?: Buffer;
  text?: string;
  parsed?: unknown[];
}

/**
 * The decrypted index of one vault and its sealed blocks: a {@link CredentialSource}
 * that decrypts a block only when one of its records is asked for, and remembers what
 * it decrypted so a write can keep unchanged blocks as they are.
 */
class VaultRecords implements CredentialSource {
  private readonly blockCount: number;
  private readonly blocksAt: number;
  /** Where each block starts in the blocks region. */
  private readonly blockOffsets: number[] = [];
  /** Where each block's record entries start in the index, and one more: where they end. */
  private readonly blockEntriesAt: number[] = [];
  /** The position of each block's first record, and one more: the record count. */
  private readonly blockFirst: number[] = [];
  private readonly recordCount: number;
  private readonly recordsAt: number;
  private readonly openedBlocks = new Map<number, OpenedBlock>();
  /** Records handed out (found or loaded), by position in the index: the same object each time. */
  private readonly handedOut = new Map<number, CredentialRecord>();
  /** Where each credential handed out came from: a write puts it in the same block again. */
  private readonly placeOf = new Map<Credential, { block: number; offset: number; length: number }>();
  /** The record of each credential `find` handed out or `insert` added: the overlay's versions live there. */
  private readonly recordOf = new Map<Credential, CredentialRecord>();
  /** Credentials inserted while the payload is untouched, in order: they follow every record of the index. */
  private readonly inserted: CredentialRecord[] = [];
  /** Credentials of the index removed while the payload is untouched. */
  private readonly removed = new Set<Credential>();
  /** Where the listing's entry is in the index. */
  private readonly listingAt: number;
  /** The sealed listing's bytes in the file, read when a list opens it or a write keeps it (each time). */
  private readonly listingBytes: () => Buffer;
  /** The listing's decrypted plaintext, once a read opened it. */
  private listingPlaintext?: Buffer;
  private readonly blocks: VaultFileBytes;

  constructor(
    readonly agent: string,
    readonly vaultKey: Buffer,
    private readonly payloadKey: Buffer,
    readonly meta: VaultMeta,
    private readonly index: Buffer,
    metaEnd: number,
    body: VaultFileBytes,
  ) {
    // One pass over the whole index on every open: it must describe exactly the listing
    // and blocks region, so a cut, extended or spliced file is noticed by any read.
    if (index.length < metaEnd + LISTING_ENTRY + 4) throw damaged(agent, 'index');
    this.listingAt = metaEnd;
    const listingLength = index.readUInt32BE(metaEnd);
    if (listingLength < TAG_LENGTH) throw damaged(agent, 'index');
    if (listingLength > body.length) throw damaged(agent, 'the file is truncated');
    // Read each time it is asked for (a list's decryption, or a write that keeps it), not
    // kept: once decrypted, its 4 MB at 100,000 credentials would stay for nothing.
    this.listingBytes = () => body.subarray(0, listingLength);
    // Every read compares the listing's tag with the one the index names (16 bytes, no
    // decryption, and read alone from a file read in parts): a listing put back from an
    // older file, or cut, fails a get too. Only the reads that open the listing
    // authenticate the rest of its bytes, so a get does not pay for reading and
    // decrypting what it does not use.
    if (!body.subarray(listingLength - TAG_LENGTH, listingLength).equals(index.subarray(metaEnd + 4 + NONCE_LENGTH, metaEnd + LISTING_ENTRY))) throw damaged(agent, 'listing');
    this.blocks = bytesFrom(body, listingLength);
    const blocks = this.blocks;
    this.blockCount = index.readUInt32BE(metaEnd + LISTING_ENTRY);
    this.blocksAt = metaEnd + LISTING_ENTRY + 4;
    this.recordsAt = this.blocksAt + this.blockCount * BLOCK_ENTRY + 4;
    if (index.length < this.recordsAt) throw damaged(agent, 'index');
    let total = 0;
    for (let b = 0; b < this.blockCount; b++) {
      const length = index.readUInt32BE(this.blocksAt + b * BLOCK_ENTRY);
      if (length < TAG_LENGTH) throw damaged(agent, 'index');
      this.blockOffsets.push(total);
      total += length;
    }
    if (total !== blocks.length) throw damaged(agent, total > blocks.length ? 'the file is truncated' : 'bytes after the last block');
    this.recordCount = index.readUInt32BE(this.recordsAt - 4);
    // The entries come block by block (as every writer lays them out), so each block's
    // are one run of the index that a write keeping the block copies as it is.
    let next = 0;
    let p = this.recordsAt;
    for (let i = 0; i < this.recordCount; i++) {
      if (p + 2 > index.length) throw damaged(agent, 'index');
      const idAt = p + 1 + index[p]!;
      if (idAt >= index.length) throw damaged(agent, 'index');
      const blockAt = idAt + 1 + index[idAt]!;
      if (blockAt + 12 > index.length) throw damaged(agent, 'index');
      const block = u32(index, blockAt);
      if (block >= this.blockCount || block < next - 1 || u32(index, blockAt + 4) + u32(index, blockAt + 8) > this.blockLength(block) - TAG_LENGTH) throw damaged(agent, 'index');
      for (; next <= block; next++) {
        this.blockEntriesAt.push(p);
        this.blockFirst.push(i);
      }
      p = blockAt + 12;
    }
    if (p !== index.length) throw damaged(agent, 'index');
    for (; next <= this.blockCount; next++) {
      this.blockEntriesAt.push(p);
      this.blockFirst.push(this.recordCount);
    }
  }

  /** Decrypts the listing, once (its tag was compared with the index's when the file was opened). */
  private openListing(): Buffer {
    if (this.listingPlaintext === undefined) {
      const nonce = this.index.subarray(this.listingAt + 4, this.listingAt + 4 + NONCE_LENGTH);
      const plaintext = open(this.payloadKey, nonce, this.listingBytes(), listingAad(this.agent));
      if (!plaintext) throw damaged(this.agent, 'listing');
      this.listingPlaintext = plaintext;
    }
    return this.listingPlaintext;
  }

  /** The listing's entries, parsed (between brackets, one JSON array: one parse): exactly one per record of the index. */
  private listingEntries(): unknown[] {
    let value: unknown;
    try {
      value = JSON.parse(`[${this.openListing().toString('utf8')}]`);
    } catch {
      throw damaged(this.agent, 'listing');
    }
    if (!Array.isArray(value) || value.length !== this.recordCount) throw damaged(this.agent, 'listing');
    return value;
  }

  summaries(): CredentialSummary[] {
    const summaries = this.listedSummaries();
    if (this.handedOut.size === 0 && this.inserted.length === 0) return summaries;
    // What the overlay may have changed is summarised from the credentials themselves,
    // through the listing entry a write would give them: as a list after the write shows it.
    const summary = (c: Credential): CredentialSummary => checkListingEntry(JSON.parse(encodeListingEntry(c)), this.agent, { key: c.key, id: c.id });
    const out: CredentialSummary[] = [];
    summaries.forEach((listed, position) => {
      const record = this.handedOut.get(position);
      if (!record) out.push(listed);
      else if (!this.removed.has(record.credential)) out.push(summary(record.credential));
    });
    for (const { credential } of this.inserted) out.push(summary(credential));
    return out;
  }

  /** Every record of the index's summary, from the listing alone. */
  private listedSummaries(): CredentialSummary[] {
    const entries = this.listingEntries();
    const index = this.index;
    // One string of the records' part of the index, sliced per key and id: a Buffer
    // toString per field checked its arguments 20,000 times at 10,000 credentials.
    const text = index.toString('latin1', this.recordsAt);
    const summaries = new Array<CredentialSummary>(this.recordCount);
    let p = 0;
    for (let i = 0; i < this.recordCount; i++) {
      const idAt = p + 1 + index[this.recordsAt + p]!;
      const blockAt = idAt + 1 + index[this.recordsAt + idAt]!;
      summaries[i] = checkListingEntry(entries[i], this.agent, { key: text.slice(p + 1, idAt), id: text.slice(idAt + 1, blockAt) });
      p = blockAt + 12;
    }
    return summaries;
  }

  /** The listing as it is in the file. */
  private keptListing(): SealedListing {
    return { nonce: Buffer.from(this.index.subarray(this.listingAt + 4, this.listingAt + 4 + NONCE_LENGTH)), sealed: this.listingBytes() };
  }

  /** The listing of a write: kept byte for byte when its plaintext is the one this file holds, else sealed anew. */
  private listingOf(plaintext: Buffer): SealedListing {
    return this.listingPlaintext?.equals(plaintext) ? this.keptListing() : seal(this.payloadKey, plaintext, listingAad(this.agent));
  }

  private blockLength(block: number): number {
    return u32(this.index, this.blocksAt + block * BLOCK_ENTRY);
  }

  /**
   * The position and entry of the first record whose key (`field` 0) or id (1) is
   * `wanted`, comparing bytes in place: the hot path of a token read, which must not
   * build a string or a buffer per credential.
   */
  private locate(wanted: Buffer, field: 0 | 1): { position: number; entry: RecordEntry } | undefined {
    const index = this.index;
    const size = wanted.length;
    let p = this.recordsAt;
    for (let i = 0; i < this.recordCount; i++) {
      const idAt = p + 1 + index[p]!;
      const blockAt = idAt + 1 + index[idAt]!;
      const at = field === 0 ? p + 1 : idAt + 1;
      if ((field === 0 ? idAt : blockAt) - at === size) {
        // From the last byte: keys of one vault often share a prefix.
        let k = size - 1;
        while (k >= 0 && index[at + k] === wanted[k]) k -= 1;
        if (k < 0) {
          return { position: i, entry: entryAt(index, p, idAt, blockAt) };
        }
      }
      p = blockAt + 12;
    }
    return undefined;
  }

  /** Decrypts block `block`, once; its tag must be the one the index names. */
  private openBlock(block: number): OpenedBlock {
    const known = this.openedBlocks.get(block);
    if (known) return known;
    const at = this.blocksAt + block * BLOCK_ENTRY;
    const nonce = this.index.subarray(at + 4, at + 4 + NONCE_LENGTH);
    const tag = this.index.subarray(at + 4 + NONCE_LENGTH, at + BLOCK_ENTRY);
    const sealed = this.blocks.subarray(this.blockOffsets[block]!, this.blockOffsets[block]! + this.blockLength(block));
    // The tag the index names must be the block's: an older copy of the block (other
    // nonce, other tag) or another block moved here does not pass, even if it would open.
    const plaintext = sealed.subarray(sealed.length - TAG_LENGTH).equals(tag) ? open(this.payloadKey, nonce, sealed, blockAad(this.agent)) : undefined;
    if (!plaintext) throw damaged(this.agent, `block ${block}`);
    const opened = { plaintext };
    this.openedBlocks.set(block, opened);
    return opened;
  }

  /** The record at `position`, decrypting its block and parsing only its text. */
  private record(position: number, entry: RecordEntry): { credential: Credential; versions?: CredentialHistory[string] } {
    const known = this.handedOut.get(position);
    if (known) return known;
    const opened = this.openBlock(entry.block);
    const plaintext = opened.plaintext ?? Buffer.from(opened.text!);
    let value: unknown;
    try {
      value = JSON.parse(plaintext.toString('utf8', entry.offset, entry.offset + entry.length));
    } catch {
      throw damaged(this.agent, `record of ${entry.key}`);
    }
    const record = checkRecord(value, this.agent, entry);
    this.handedOut.set(position, record);
    this.recordOf.set(record.credential, record);
    this.placeOf.set(record.credential, { block: entry.block, offset: entry.offset, length: entry.length });
    return record;
  }

  find(keyOrId: string, by?: 'key' | 'id'): Credential | undefined {
    const wanted = Buffer.from(keyOrId, 'utf8');
    if (wanted.length === 0) return undefined;
    return (by === 'id' ? undefined : this.findBy(keyOrId, wanted, 'key')) ?? (by === 'key' ? undefined : this.findBy(keyOrId, wanted, 'id'));
  }

  /**
   * The credential whose key or id is `value`: first among those handed out or inserted
   * (a key may have been renamed or removed since the index was written), then in the
   * index, whose record is new only when it was not handed out before.
   */
  private findBy(value: string, wanted: Buffer, by: 'key' | 'id'): Credential | undefined {
    // A removed credential is no longer in recordOf.
    for (const { credential } of this.recordOf.values()) if (credential[by] === value) return credential;
    const found = this.locate(wanted, by === 'key' ? 0 : 1);
    return found && !this.handedOut.has(found.position) ? this.record(found.position, found.entry).credential : undefined;
  }

  insert(credential: Credential): void {
    const record = { credential };
    this.inserted.push(record);
    this.recordOf.set(credential, record);
  }

  remove(credential: Credential): void {
    const at = this.inserted.findIndex((r) => r.credential === credential);
    if (at >= 0) this.inserted.splice(at, 1);
    else this.removed.add(credential);
    this.recordOf.delete(credential);
  }

  versions(credential: Credential): CredentialHistory[string] | undefined {
    return this.recordOf.get(credential)?.versions;
  }

  setVersions(credential: Credential, versions: CredentialHistory[string] | undefined): void {
    const record = this.recordOf.get(credential);
    if (!record) return;
    if (versions) record.versions = versions;
    else delete record.versions;
  }

  touched(): Credential[] {
    const credentials = [...this.handedOut.entries()].sort(([a], [b]) => a - b).map(([, r]) => r.credential).filter((c) => !this.removed.has(c));
    return [...credentials, ...this.inserted.map((r) => r.credential)];
  }

  /**
   * Every record, in order, each block decrypted and parsed whole (one JSON.parse per
   * block); a block must hold exactly the records the index places in it, in order.
   * Written as one loop over the raw index: at 100,000 records, an object per entry or
   * a generator step per record cost more than the parse.
   */
  private allRecords(): CredentialRecord[] {
    const index = this.index;
    const seen = new Array<number>(this.blockCount).fill(0);
    const keys = new Set<string>();
    const ids = new Set<string>();
    const records: CredentialRecord[] = [];
    let p = this.recordsAt;
    for (let position = 0; position < this.recordCount; position++) {
      const idAt = p + 1 + index[p]!;
      const blockAt = idAt + 1 + index[idAt]!;
      const block = u32(index, blockAt);
      const element = this.parsedBlock(block)[seen[block]!] as { c?: { key?: unknown; id?: unknown } } | undefined;
      seen[block]! += 1;
      // The record's key and id are compared with the index's bytes in place, without
      // a string per entry; then they are the record's own strings.
      const key = element?.c?.key;
      const id = element?.c?.id;
      if (typeof key !== 'string' || typeof id !== 'string' || !sameAscii(index, p + 1, idAt, key) || !sameAscii(index, idAt + 1, blockAt, id)) {
        throw damaged(this.agent, `block ${block}`);
      }
      if (keys.has(key) || ids.has(id)) throw damaged(this.agent, 'index');
      keys.add(key);
      ids.add(id);
      const record = this.handedOut.get(position) ?? checkRecord(element, this.agent, { key, id });
      this.placeOf.set(record.credential, { block, offset: u32(index, blockAt + 4), length: u32(index, blockAt + 8) });
      records.push(record);
      p = blockAt + 12;
    }
    for (let b = 0; b < this.blockCount; b++) if (this.parsedBlock(b).length !== seen[b]) throw damaged(this.agent, `block ${b}`);
    for (const opened of this.openedBlocks.values()) {
      delete opened.plaintext;
      delete opened.parsed;
    }
    // Called once per payload (core/vault.ts keeps what it returns), so what it parsed
    // need not be remembered: a found record above is already the object handed out.
    return records;
  }

  private parsedBlock(block: number): unknown[] {
    const opened = this.openBlock(block);
    if (!opened.parsed) {
      let value: unknown;
      try {
        opened.text ??= opened.plaintext!.toString('utf8');
        value = JSON.parse(opened.text);
      } catch {
        throw damaged(this.agent, `block ${block}`);
      }
      if (!Array.isArray(value)) throw damaged(this.agent, `block ${block}`);
      opened.parsed = value;
    }
    return opened.parsed;
  }

  all(): { credentials: Credential[]; history: CredentialHistory | undefined } {
    // A read of every record reads every byte of the file: the listing's too, so a
    // changed byte anywhere fails it, and a write that follows can keep the listing.
    this.openListing();
    const history: CredentialHistory = { ...this.meta.history };
    const credentials: Credential[] = [];
    for (const record of [...this.allRecords(), ...this.inserted]) {
      if (this.removed.has(record.credential)) continue;
      if (record.versions) history[record.credential.id] = record.versions;
      credentials.push(record.credential);
    }
    return { credentials, history: Object.keys(history).length > 0 ? history : undefined };
  }

  /**
   * The blocks of a write. With `credentials` undefined (nothing read them all), every
   * block none of whose records was handed out or removed is kept as it is, the others
   * are re-encoded from their records (a block left empty is dropped), and inserted
   * records join the last block while it has room, then new ones. Otherwise records
   * keep the blocks they were in (a new record joins the block before it while that has
   * room), and a block whose records encode to exactly its old text keeps its bytes;
   * every other block is sealed under a fresh nonce. The listing is written from the
   * same records (the lines of untouched records copied from the old listing), and kept
   * as it is when its plaintext is.
   */
  reseal(credentials: readonly Credential[] | undefined, history: CredentialHistory | undefined): { blocks: SealedBlock[]; listing: SealedListing } {
    if (credentials === undefined) return this.resealOverlay();
    // Records stay in the block they came from; a new one joins the group before it
    // while that has room. A group is stringified whole first (one call per block, not
    // per record): if that is its block's old text, the block is kept as it is.
    const groups: Array<{ source: number | undefined; credentials: Credential[]; bytes: number }> = [];
    for (const credential of credentials) {
      const source = this.placeOf.get(credential)?.block;
      const current = groups.at(-1);
      if (source !== undefined && current?.source === source) {
        current.credentials.push(credential);
        continue;
      }
      const text = source === undefined ? encodeRecord(credential, history?.[credential.id]).length : undefined;
      if (text !== undefined && current && hasRoom(current.credentials.length, current.bytes, text)) {
        current.credentials.push(credential);
        current.bytes += text + 1;
      } else {
        groups.push({ source, credentials: [credential], bytes: text === undefined ? this.blockLength(source!) - TAG_LENGTH : text + 1 });
      }
    }
    const blocks = groups.map(({ source, credentials: members }) => {
      const values = members.map((c) => (history?.[c.id] ? { c, h: history[c.id] } : { c }));
      if (source !== undefined) {
        const opened = this.openedBlocks.get(source);
        const old = opened && (opened.text ??= opened.plaintext!.toString('utf8'));
        if (old === JSON.stringify(values)) {
          return this.kept(source, members.map((c) => ({ key: c.key, id: c.id, ...this.placeOf.get(c)! })));
        }
      }
      return sealBlock(this.payloadKey, this.agent, members.map((c, i) => ({ key: c.key, id: c.id, text: JSON.stringify(values[i]) })));
    });
    return { blocks, listing: this.listingOf(Buffer.from(listingText(credentials.map(encodeListingEntry)))) };
  }

  /** {@link reseal} of an untouched payload: the index's records, what the overlay changed, and nothing else read. */
  private resealOverlay(): { blocks: SealedBlock[]; listing: SealedListing } {
    const index = this.index;
    const touched = new Set<number>();
    for (const record of this.handedOut.values()) touched.add(this.placeOf.get(record.credential)!.block);
    // The last block takes the inserted records while it has room, so it is re-encoded too.
    const last = this.blockCount - 1;
    if (this.inserted.length > 0 && last >= 0) touched.add(last);
    const groups: Array<SealedBlock | OpenGroup> = [];
    for (let b = 0; b < this.blockCount; b++) {
      const first = this.blockFirst[b]!;
      const end = this.blockFirst[b + 1]!;
      if (!touched.has(b)) {
        // Neither decrypted nor parsed: its entries are copied from the index as bytes.
        groups.push(this.kept(b, { bytes: index.subarray(this.blockEntriesAt[b]!, this.blockEntriesAt[b + 1]!), count: end - first, block: b }));
        continue;
      }
      const records: OpenGroup['records'] = [];
      let p = this.blockEntriesAt[b]!;
      for (let position = first; position < end; position++) {
        const idAt = p + 1 + index[p]!;
        const blockAt = idAt + 1 + index[idAt]!;
        const r = this.record(position, entryAt(index, p, idAt, blockAt));
        if (!this.removed.has(r.credential)) records.push({ key: r.credential.key, id: r.credential.id, text: encodeRecord(r.credential, r.versions) });
        p = blockAt + 12;
      }
      if (records.length > 0) groups.push(openGroup(b, records));
    }
    let open = groups.at(-1);
    for (const { credential, versions } of this.inserted) {
      const text = encodeRecord(credential, versions);
      if (!open || !('bytes' in open) || !hasRoom(open.records.length, open.bytes, text.length)) {
        open = openGroup(undefined, []);
        groups.push(open);
      }
      open.records.push({ key: credential.key, id: credential.id, text });
      open.bytes += text.length + 1;
    }
    const blocks = groups.map((g) => {
      if (!('bytes' in g)) return g;
      return g.source === undefined ? sealBlock(this.payloadKey, this.agent, g.records) : this.sealOrKeep(g.source, g.records);
    });
    if (touched.size === 0 && this.inserted.length === 0) return { blocks, listing: this.keptListing() };
    // The lines of the records handed out are written anew (or dropped), the others copied.
    const replaced = [...this.handedOut.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, r]) => [at, this.removed.has(r.credential) ? undefined : encodeListingEntry(r.credential)] as const);
    const listing = editListing(this.openListing(), this.recordCount, replaced, this.inserted.map((r) => encodeListingEntry(r.credential)));
    if (!listing) throw damaged(this.agent, 'listing');
    return { blocks, listing: this.listingOf(listing) };
  }

  /** Block `block` as it is in the file, with the entries of its records. */
  private kept(block: number, records: SealedBlock['records']): SealedBlock {
    const at = this.blocksAt + block * BLOCK_ENTRY;
    return {
      records: Array.isArray(records) ? records.map(({ key, id, offset, length }) => ({ key, id, offset, length })) : records,
      nonce: Buffer.from(this.index.subarray(at + 4, at + 4 + NONCE_LENGTH)),
      // The tag the index names, not the file's: a block changed in the file stays one
      // the new index does not name, so its reads keep failing.
      sealed: { block, at: this.blockOffsets[block]!, length: this.blockLength(block), tag: Buffer.from(this.index.subarray(at + 4 + NONCE_LENGTH, at + BLOCK_ENTRY)) },
    };
  }

  /**
   * Copies `run`, kept blocks back to back in the file read, into `target` at
   * `targetStart`. Each must end in the tag the index names: a block whose tag changed,
   * an older copy of it, another block or another vault's in its place fails the write
   * (exit 6) without a decryption, as a cut file does. A changed ciphertext byte before
   * the tag is noticed only by what decrypts the block: the write keeps it as it is, and
   * the reads of that block keep failing.
   */
  copyBlocks(target: Buffer, targetStart: number, run: readonly KeptBytes[]): void {
    const from = run[0]!.at;
    const last = run.at(-1)!;
    const to = last.at + last.length;
    if (this.blocks.copy(target, targetStart, from, to) !== to - from) throw damaged(this.agent, 'the file is truncated');
    for (const kept of run) {
      const end = targetStart + kept.at - from + kept.length;
      if (!target.subarray(end - TAG_LENGTH, end).equals(kept.tag)) throw damaged(this.agent, `block ${kept.block}`);
    }
  }

  /**
   * Keeps block `source` if `records` encode to exactly its plaintext (then they are its
   * records, keys and ids included, at the same places), else seals them anew.
   */
  private sealOrKeep(source: number, records: ReadonlyArray<{ key: string; id: string; text: string }>): SealedBlock {
    const opened = this.openedBlocks.get(source);
    const text = opened && (opened.text ??= opened.plaintext!.toString('utf8'));
    if (text === `[${records.map((r) => r.text).join(',')}]`) return this.kept(source, placesOf(records));
    return sealBlock(this.payloadKey, this.agent, records);
  }
}

/** The source behind each payload {@link openVault} returned, for {@link encodeVaultFile} to reuse. */
const sources = new WeakMap<VaultPayload, VaultRecords>();

/**
 * Opens a vault: authenticates the header and the index and returns the payload, whose
 * credentials are decrypted only when read (one block for a lookup by key or id, every
 * block for anything that reads `credentials` or `history`). An index that does not
 * open, or does not describe the file's blocks exactly, is exit 6 here.
 */
export function openVault(file: ParsedVaultFile, vaultKey: Buffer): VaultPayload {
  const agent = file.header.agent;
  const payloadKey = derivePayloadKey(vaultKey);
  const index = open(payloadKey, file.indexNonce, file.index, file.headerBytes);
  if (!index || index.length < 4 || index.readUInt32BE(0) > index.length - 4) throw damaged(agent, 'header or index');
  const metaEnd = 4 + index.readUInt32BE(0);
  const meta = parseMeta(index.subarray(4, metaEnd), agent);
  const source = new VaultRecords(agent, vaultKey, payloadKey, meta, index, metaEnd, file.blocks);
  const payload = lazyPayload(meta, source);
  sources.set(payload, source);
  return payload;
}

/**
 * Seals `payload` under the vault key and returns the whole file. Blocks of a payload
 * {@link openVault} returned under the same vault key are kept byte for byte when
 * their records did not change; every other block, and the index, get fresh nonces.
 */
export function encodeVaultFile(header: VaultHeader, vaultKey: Buffer, payload: VaultPayload): Buffer {
  const payloadKey = derivePayloadKey(vaultKey);
  const known = sources.get(payload);
  const source = known && known.vaultKey.equals(vaultKey) ? known : undefined;
  let sealed: { blocks: SealedBlock[]; listing: SealedListing };
  let orphans: CredentialHistory | undefined;
  if (source && untouchedSource(payload) === source) {
    sealed = source.reseal(undefined, undefined);
    orphans = source.meta.history;
  } else {
    const { credentials, history } = payload;
    sealed = source
      ? source.reseal(credentials, history)
      : { blocks: freshBlocks(payloadKey, payload.agent, credentials, history), listing: sealListing(payloadKey, payload.agent, listingText(credentials.map(encodeListingEntry))) };
    const ids = new Set(credentials.map((c) => c.id));
    const left = Object.entries(history ?? {}).filter(([id]) => !ids.has(id));
    orphans = left.length > 0 ? Object.fromEntries(left) : undefined;
  }
  const index = encodeIndex(encodeMeta(payload, orphans), sealed.listing, sealed.blocks);
  // The nonce is part of the additional data, so it is drawn before sealing.
  const indexNonce = randomBytes(NONCE_LENGTH);
  const headerBytes = encodeVaultHeader(header, index.length + TAG_LENGTH, indexNonce);
  const sealedIndex = sealWithNonce(payloadKey, indexNonce, index, headerBytes);
  let size = headerBytes.length + sealedIndex.length + sealed.listing.sealed.length;
  for (const b of sealed.blocks) size += b.sealed.length;
  // One buffer of the file's size, kept blocks copied into it straight from the file
  // read (each run of them at once): at 100,000 credentials a write copies 40 MB once.
  const out = Buffer.allocUnsafe(size);
  let p = headerBytes.copy(out, 0);
  p += sealedIndex.copy(out, p);
  p += sealed.listing.sealed.copy(out, p);
  for (let i = 0; i < sealed.blocks.length; ) {
    const first = sealed.blocks[i]!.sealed;
    if (Buffer.isBuffer(first)) {
      p += first.copy(out, p);
      i += 1;
      continue;
    }
    const run = [first];
    for (i += 1; i < sealed.blocks.length; i += 1) {
      const next = sealed.blocks[i]!.sealed;
      if (Buffer.isBuffer(next) || next.at !== run.at(-1)!.at + run.at(-1)!.length) break;
      run.push(next);
    }
    source!.copyBlocks(out, p, run);
    p += run.at(-1)!.at + run.at(-1)!.length - first.at;
  }
  return out;
}

/** Records on their way to one block: the block they came from (none for a new block), their texts, and about how many bytes those take. */
interface OpenGroup {
  source: number | undefined;
  records: Array<{ key: string; id: string; text: string }>;
  bytes: number;
}

function openGroup(source: number | undefined, records: OpenGroup['records']): OpenGroup {
  return { source, records, bytes: records.reduce((sum, r) => sum + r.text.length + 1, 0) };
}

/** Every credential sealed anew, in blocks of the vault's order. */
function freshBlocks(payloadKey: Buffer, agent: string, credentials: readonly Credential[], history: CredentialHistory | undefined): SealedBlock[] {
  const blocks: SealedBlock[] = [];
  let group: Array<{ key: string; id: string; text: string }> = [];
  let bytes = 0;
  for (const c of credentials) {
    const text = encodeRecord(c, history?.[c.id]);
    if (group.length > 0 && !hasRoom(group.length, bytes, text.length)) {
      blocks.push(sealBlock(payloadKey, agent, group));
      group = [];
      bytes = 0;
    }
    group.push({ key: c.key, id: c.id, text });
    bytes += text.length + 1;
  }
  if (group.length > 0) blocks.push(sealBlock(payloadKey, agent, group));
  return blocks;
}
