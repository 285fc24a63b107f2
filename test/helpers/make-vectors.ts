/**
 * Builds the format test vectors of test/vectors/ from fixed inputs. It is written from
 * man/agent-vault.5, not from the encoder: headers are spelled out as text and keys are
 * derived with the documented info strings, using only the AES-GCM and HKDF primitives.
 * So the vectors test checks that the code and the man page describe the same bytes.
 *
 * Regenerate (only when the format changes on purpose):
 *   UPDATE_VECTORS=1 npx vitest run test/unit/format/vectors.test.ts
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { deriveSubkey, sealWithNonce } from '../../src/format/aead.js';
import { derivePassphraseKey } from '../../src/app/owner-key.js';

/** What a bad file must do when opened by one principal. */
export interface Expectation {
  error: 'IntegrityError' | 'AuthError';
  exit: 4 | 6;
}

export interface BadVector {
  file: string;
  kind: 'store' | 'vault';
  /** The agent whose vault file this replaces (vault files), or the store it replaces. */
  agent: string;
  about: string;
  owner: Expectation;
  /** Absent for store files: a token never reads the store file. */
  token?: Expectation;
  /**
   * For damage inside a block of records or the listing: the vault opens, a read of
   * each `damaged` key fails as `owner`/`token` say, each `intact` key still reads, a
   * list reads every key or fails as `list` says, and a full read fails. Absent: the
   * vault does not open at all.
   */
  records?: { damaged: string[]; intact: string[]; list: 'reads' | 'fails' };
}

export interface GoodVector {
  agent: string;
  vault: string;
  /** The agent's key certificate, signed with the owner signing key. */
  certificate: string;
  token: string;
  /** The whole payload a full read gives (metadata and credentials), as JSON text. */
  payload: string;
  /** The exact plaintext of the index's metadata, as UTF-8 text. */
  meta: string;
  /** The exact plaintext of the listing, as UTF-8 text. */
  listing: string;
  /** The exact plaintext of each block of records, in order, as UTF-8 text. */
  blocks: string[];
}

export interface Manifest {
  about: string;
  passphrase: string;
  wrong_passphrase: string;
  inputs: Record<string, unknown>;
  derived: Record<string, string>;
  store: string;
  good: GoodVector[];
  bad: BadVector[];
}

const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
/** Deterministic filler bytes: `n` bytes counting up from `start`. */
const bytes = (start: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (start + i) & 0xff));

const PASSPHRASE = 'correct horse battery staple ✓';
const KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1, salt: bytes(0x10, 16) };
const STORE_SLOT_NONCE = bytes(0x20, 12);
const STORE_KEYS_NONCE = bytes(0x30, 12);
/** The root key: random in a real store, fixed here. */
const ROOT_KEY = bytes(0x40, 32);

interface AgentInputs {
  agent: string;
  vaultKey: Buffer;
  tokenSecret: Buffer;
  tokenSlotSalt: Buffer;
  ownerSlotNonce: Buffer;
  tokenSlotNonce: Buffer;
  indexNonce: Buffer;
  listingNonce: Buffer;
  /** One per block of records (up to 64 credentials each), in order. */
  blockNonces: Buffer[];
  x25519Private: Buffer;
  auditKey: Buffer;
  created: string;
  updated: string;
  credentials: unknown[];
}

const AGENTS: AgentInputs[] = [
  {
    agent: 'bot1',
    vaultKey: bytes(0x40, 32),
    tokenSecret: bytes(0x60, 32),
    tokenSlotSalt: bytes(0x80, 16),
    ownerSlotNonce: bytes(0x90, 12),
    tokenSlotNonce: bytes(0xa0, 12),
    indexNonce: bytes(0xb0, 12),
    listingNonce: bytes(0xe0, 12),
    blockNonces: [bytes(0xd0, 12)],
    auditKey: bytes(0xc0, 32),
    x25519Private: bytes(0xc0, 32),
    created: '2025-01-02T03:04:05.006Z',
    updated: '2025-02-03T04:05:06.007Z',
    credentials: [
      {
        id: '0123456789abcdef',
        key: 'OPENAI_API_KEY',
        type: 'api_key',
        name: 'OpenAI',
        tags: ['llm'],
        uris: [],
        fields: { value: 'sk-test "quoted"\ttab\nnewline ünïcödé ✓' },
        created: '2025-01-02T03:04:05.006Z',
        updated: '2025-01-02T03:04:05.006Z',
      },
      {
        id: 'fedcba9876543210',
        key: 'GITHUB',
        type: 'login',
        name: 'GitHub bot',
        tags: ['scm', 'ci'],
        uris: ['https://github.com'],
        fields: { password: 'hunter2 with spaces', totp: 'JBSWY3DPEHPK3PXP', username: 'octo-bot' },
        created: '2025-01-02T03:04:05.006Z',
        updated: '2025-02-03T04:05:06.007Z',
      },
    ],
  },
  {
    agent: 'bot-2_x',
    vaultKey: bytes(0x41, 32),
    tokenSecret: bytes(0x61, 32),
    tokenSlotSalt: bytes(0x81, 16),
    ownerSlotNonce: bytes(0x91, 12),
    tokenSlotNonce: bytes(0xa1, 12),
    indexNonce: bytes(0xb1, 12),
    listingNonce: bytes(0xe1, 12),
    blockNonces: [],
    auditKey: bytes(0xc1, 32),
    x25519Private: bytes(0xc1, 32),
    created: '2025-03-04T05:06:07.008Z',
    updated: '2025-03-04T05:06:07.008Z',
    credentials: [],
  },
];

// PKCS#8 DER prefix of an X25519 private key (RFC 8410): the 32 raw bytes follow.
const X25519_PKCS8_PREFIX = hex('302e020100300506032b656e04220420');

function x25519(privateRaw: Buffer): { privateDer: Buffer; publicRaw: Buffer } {
  const privateDer = Buffer.concat([X25519_PKCS8_PREFIX, privateRaw]);
  const key = createPrivateKey({ key: privateDer, format: 'der', type: 'pkcs8' });
  return { privateDer, publicRaw: createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32) };
}

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = hex('302e020100300506032b657004220420');

/** The owner signing key: Ed25519 whose seed is HKDF-SHA256(owner key, empty salt, the documented info). */
function ownerSigningKey(ownerKey: Buffer): { privateKey: KeyObject; publicRaw: Buffer } {
  const seed = deriveSubkey(ownerKey, Buffer.alloc(0), 'agent-vault/v1 owner signing key');
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicRaw: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32) };
}

/** The agent's key certificate; Ed25519 signatures are deterministic, so it is a fixed vector. */
function keyCertificate(ownerKey: Buffer, a: AgentInputs): Buffer {
  const signed = Buffer.from(`agent-vault-key/v1\nagent: ${a.agent}\npub ${b64(x25519(a.x25519Private).publicRaw)}\n`);
  return Buffer.concat([signed, Buffer.from(`sig ${b64(sign(null, signed, ownerSigningKey(ownerKey).privateKey))}\n`)]);
}

/** The store file: the root key wrapped under the passphrase key, and a body of no retired audit keys sealed under the root key. */
function storeFile(passphraseKey: Buffer, rootKey: Buffer): Buffer {
  const head = `agent-vault-store/v2\nkdf: $argon2id$v=19$m=${KDF.memoryKiB},t=${KDF.iterations},p=${KDF.parallelism}$${b64(KDF.salt)}\n`;
  const wrapped = sealWithNonce(passphraseKey, STORE_SLOT_NONCE, rootKey, Buffer.from(head));
  const header = Buffer.from(`${head}passphrase ${b64(STORE_SLOT_NONCE)} ${b64(wrapped)}\nkeys ${b64(STORE_KEYS_NONCE)}\n`);
  const keysKey = deriveSubkey(rootKey, Buffer.alloc(0), 'agent-vault/v1 store keys');
  return Buffer.concat([header, sealWithNonce(keysKey, STORE_KEYS_NONCE, Buffer.alloc(0), header)]);
}

/** A big-endian u32. */
const u32 = (n: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
};

/** The secret fields of each type the vectors use, the main field first, as man 5 (Credential types) says. */
const SECRET_FIELDS: Record<string, string[]> = { api_key: ['value'], login: ['password', 'totp'] };

/**
 * A credential's listing entry as man 5 spells it: its record's credential without
 * `key` and `id`, `fields` without the secret ones, `secretFields` naming those set,
 * and no member that has its default (type api_key, "" name, empty tags, URIs and
 * fields, `updated` equal to `created`, `secretFields` the main field alone).
 */
function listingEntry(c: Record<string, unknown>): string {
  const secret = SECRET_FIELDS[c.type as string]!;
  const fields = c.fields as Record<string, string>;
  const members: Record<string, unknown> = {
    ...c,
    fields: Object.fromEntries(Object.entries(fields).filter(([field]) => !secret.includes(field))),
    secretFields: Object.keys(fields).filter((name) => secret.includes(name)),
  };
  const isDefault = (name: string, value: unknown): boolean =>
    name === 'key' || name === 'id' || (name === 'type' && value === 'api_key') || (name === 'name' && value === '') || (name === 'updated' && value === c.created) ||
    ((name === 'tags' || name === 'uris') && (value as unknown[]).length === 0) || (name === 'fields' && Object.keys(value as object).length === 0) ||
    (name === 'secretFields' && JSON.stringify(value) === JSON.stringify([secret[0]]));
  return JSON.stringify(Object.fromEntries(Object.entries(members).filter(([name, value]) => !isDefault(name, value))));
}

function vaultFile(ownerKey: Buffer, a: AgentInputs): { file: Buffer; payload: string; meta: string; listing: string; blocks: string[]; token: string } {
  const ownerWrapped = sealWithNonce(ownerKey, a.ownerSlotNonce, a.vaultKey, Buffer.from(`agent-vault/v2 slot owner ${a.agent}`));
  const tokenKey = deriveSubkey(a.tokenSecret, a.tokenSlotSalt, `agent-vault/v1 token ${a.agent}`);
  const tokenWrapped = sealWithNonce(tokenKey, a.tokenSlotNonce, a.vaultKey, Buffer.from(`agent-vault/v2 slot token ${a.agent}`));
  const { privateDer, publicRaw } = x25519(a.x25519Private);
  const payloadKey = deriveSubkey(a.vaultKey, Buffer.alloc(0), 'agent-vault/v1 payload');
  const metaFields = {
    v: 2,
    agent: a.agent,
    privateKey: privateDer.toString('base64'),
    ownerSigningKey: b64(ownerSigningKey(ownerKey).publicRaw),
    auditKeys: [b64(a.auditKey)],
  };
  const meta = JSON.stringify(metaFields);
  // Every vector vault has at most 64 credentials: one block, or none.
  const credentials = a.credentials as Array<{ id: string; key: string }>;
  const records = credentials.map((c) => JSON.stringify({ c }));
  const blocks = credentials.length > 0 ? [`[${records.join(',')}]`] : [];
  // One entry to a line, no brackets: an empty vault's listing is empty.
  const listing = credentials.map((c) => listingEntry(c)).join(',\n');
  const sealedListing = sealWithNonce(payloadKey, a.listingNonce, Buffer.from(listing), Buffer.from(`agent-vault/v2 listing ${a.agent}`));
  const sealedBlocks = blocks.map((text, i) => sealWithNonce(payloadKey, a.blockNonces[i]!, Buffer.from(text), Buffer.from(`agent-vault/v2 block ${a.agent}`)));
  let offset = 1;
  const entries = credentials.map((c, i) => {
    const length = Buffer.byteLength(records[i]!);
    const entry = Buffer.concat([Buffer.from([c.key.length]), Buffer.from(c.key), Buffer.from([c.id.length]), Buffer.from(c.id), u32(0), u32(offset), u32(length)]);
    offset += length + 1;
    return entry;
  });
  const index = Buffer.concat([
    u32(Buffer.byteLength(meta)),
    Buffer.from(meta),
    u32(sealedListing.length),
    a.listingNonce,
    sealedListing.subarray(-16),
    u32(blocks.length),
    ...sealedBlocks.map((sealed, i) => Buffer.concat([u32(sealed.length), a.blockNonces[i]!, sealed.subarray(-16)])),
    u32(credentials.length),
    ...entries,
  ]);
  const header = Buffer.from(
    'agent-vault/v2\n' +
      `agent: ${a.agent}\n` +
      `created: ${a.created}\n` +
      `updated: ${a.updated}\n` +
      `slot owner ${b64(a.ownerSlotNonce)} ${b64(ownerWrapped)}\n` +
      `slot token ${b64(a.tokenSlotSalt)} ${b64(a.tokenSlotNonce)} ${b64(tokenWrapped)}\n` +
      `pub ${b64(publicRaw)}\n` +
      `index: ${index.length + 16}\n` +
      `--- ${b64(a.indexNonce)}\n`,
  );
  const sealedIndex = sealWithNonce(payloadKey, a.indexNonce, index, header);
  return {
    file: Buffer.concat([header, sealedIndex, sealedListing, ...sealedBlocks]),
    payload: JSON.stringify({ ...metaFields, credentials }),
    meta,
    listing,
    blocks,
    token: `avt_${a.agent}_${a.tokenSecret.toString('base64url')}`,
  };
}

/** Line `index` (0-based) of a file's text, and the byte offset it starts at. */
function lineAt(file: Buffer, index: number): { start: number; text: string } {
  let start = 0;
  for (let i = 0; i < index; i++) start = file.indexOf(0x0a, start) + 1;
  return { start, text: file.subarray(start, file.indexOf(0x0a, start)).toString('latin1') };
}

function replaceLine(file: Buffer, index: number, edit: (line: string) => string): Buffer {
  const { start, text } = lineAt(file, index);
  return Buffer.concat([file.subarray(0, start), Buffer.from(edit(text), 'latin1'), file.subarray(start + text.length)]);
}

/** Swaps the character at `column` for another base64 letter, so the line still parses. */
function swapChar(line: string, column: number): string {
  const replacement = line[column] === 'A' ? 'B' : 'A';
  return line.slice(0, column) + replacement + line.slice(column + 1);
}

function xorByte(file: Buffer, offset: number): Buffer {
  const copy = Buffer.from(file);
  copy[offset]! ^= 0x01;
  return copy;
}

const DAMAGED: Expectation = { error: 'IntegrityError', exit: 6 };
const REFUSED: Expectation = { error: 'AuthError', exit: 4 };

/**
 * The first agent's block as another agent's vault would hold it under the same key:
 * the same plaintext, nonce and key, the other agent's block AAD. Only the AAD differs.
 */
function foreignBlock(sealed: Buffer): Buffer {
  const a = AGENTS[0]!;
  const key = deriveSubkey(a.vaultKey, Buffer.alloc(0), 'agent-vault/v1 payload');
  const plaintext = `[${(a.credentials as unknown[]).map((c) => JSON.stringify({ c })).join(',')}]`;
  const moved = sealWithNonce(key, a.blockNonces[0]!, Buffer.from(plaintext), Buffer.from(`agent-vault/v2 block ${AGENTS[1]!.agent}`));
  if (moved.length !== sealed.length) throw new Error('the foreign block must have the same length');
  return moved;
}

function badVaults(good: Buffer, agent: string, otherAgentsFile: Buffer, keys: [string, string], listingLength: number, blockLength: number): Array<BadVector & { bytes: Buffer }> {
  const header = good.subarray(0, good.indexOf('\n--- ') + 1);
  const headerEnd = good.indexOf(0x0a, header.length) + 1;
  const listingEnd = good.length - blockLength;
  const indexEnd = listingEnd - listingLength;
  const v = (file: string, about: string, bytes: Buffer, token: Expectation = DAMAGED, records?: BadVector['records']): BadVector & { bytes: Buffer } => ({
    file: `bad/${file}.vault`,
    kind: 'vault',
    agent,
    about,
    owner: DAMAGED,
    token,
    ...(records ? { records } : {}),
    bytes,
  });
  const [first, other] = keys;
  // A column inside the first base64 field of each slot-like line; for timestamps, the milliseconds.
  const middle = (line: number): number => Math.floor(lineAt(good, line).text.length / 2);
  return [
    v('empty', 'an empty file', Buffer.alloc(0)),
    v('version-v1', 'the version line says v1, the format before the index: refused by name', replaceLine(good, 0, () => 'agent-vault/v1')),
    v('version-v3', 'the version line says v3', replaceLine(good, 0, () => 'agent-vault/v3')),
    v('version-flipped', 'a changed byte in the version line', replaceLine(good, 0, (l) => l.replace('vault', 'vaulu'))),
    v('version-trailing-space', 'the version line has a trailing space', replaceLine(good, 0, (l) => `${l} `)),
    v('agent-changed', 'the agent line names another valid agent', replaceLine(good, 1, (l) => `${l}x`)),
    v('agent-invalid', 'the agent line holds an invalid agent id', replaceLine(good, 1, (l) => l.toUpperCase().replace('AGENT:', 'agent:'))),
    v('created-changed', 'the created time moved by one millisecond', replaceLine(good, 2, (l) => l.replace(/\d(Z)$/, (d) => `${(Number(d[0]) + 1) % 10}Z`))),
    v('updated-changed', 'the updated time moved by one millisecond', replaceLine(good, 3, (l) => l.replace(/\d(Z)$/, (d) => `${(Number(d[0]) + 1) % 10}Z`))),
    v('updated-not-iso', 'the updated time is not canonical ISO 8601', replaceLine(good, 3, (l) => l.replace(/\.\d{3}Z$/, 'Z'))),
    v('owner-slot-changed', 'a changed letter in the owner slot', replaceLine(good, 4, (l) => swapChar(l, middle(4)))),
    v('token-slot-changed', 'a changed letter in the token slot wrapped key', replaceLine(good, 5, (l) => swapChar(l, l.length - 10)), REFUSED),
    v('token-salt-changed', 'a changed letter in the token slot salt', replaceLine(good, 5, (l) => swapChar(l, 'slot token '.length + 3)), REFUSED),
    v('pub-changed', 'a changed letter in the public key', replaceLine(good, 6, (l) => swapChar(l, middle(6)))),
    v('index-length-longer', 'the index line says one byte more', replaceLine(good, 7, (l) => `index: ${Number(l.slice(7)) + 1}`)),
    v('index-length-leading-zero', 'the index length written with a leading zero', replaceLine(good, 7, (l) => `index: 0${l.slice(7)}`)),
    v('index-nonce-changed', 'a changed letter in the index nonce', replaceLine(good, 8, (l) => swapChar(l, 8))),
    v('index-first-byte', 'the first ciphertext byte of the index flipped', xorByte(good, headerEnd)),
    v('index-middle-byte', 'a ciphertext byte in the middle of the index flipped', xorByte(good, Math.floor((headerEnd + indexEnd) / 2))),
    v('index-tag-byte', 'the last tag byte of the index flipped', xorByte(good, indexEnd - 1)),
    v('listing-first-byte', 'the first ciphertext byte of the listing flipped: each key still reads, a list does not', xorByte(good, indexEnd), DAMAGED, { damaged: [], intact: [first, other], list: 'fails' }),
    v('listing-middle-byte', 'a ciphertext byte in the middle of the listing flipped', xorByte(good, Math.floor((indexEnd + listingEnd) / 2)), DAMAGED, { damaged: [], intact: [first, other], list: 'fails' }),
    v('listing-tag-byte', 'the last tag byte of the listing flipped: every read compares it with the index', xorByte(good, listingEnd - 1)),
    v('block-first-byte', `the first byte of the block of ${first} and ${other} flipped`, xorByte(good, listingEnd), DAMAGED, { damaged: [first, other], intact: [], list: 'reads' }),
    v('block-middle-byte', 'a byte in the middle of the block flipped', xorByte(good, Math.floor((listingEnd + good.length) / 2)), DAMAGED, { damaged: [first, other], intact: [], list: 'reads' }),
    v('block-tag-byte', 'the last tag byte of the block flipped', xorByte(good, good.length - 1), DAMAGED, { damaged: [first, other], intact: [], list: 'reads' }),
    v(
      'block-of-other-agent',
      "the block of another agent's vault, sealed under this vault's key, in its place",
      Buffer.concat([good.subarray(0, listingEnd), foreignBlock(good.subarray(listingEnd))]),
      DAMAGED,
      { damaged: [first, other], intact: [], list: 'reads' },
    ),
    v('extra-byte', 'a byte after the last block', Buffer.concat([good, Buffer.from([0])])),
    v('header-non-printable', 'a control byte in the agent line', Buffer.from(good).fill(0x07, lineAt(good, 1).start + 2, lineAt(good, 1).start + 3)),
    v('truncated-in-version', 'cut inside the version line', good.subarray(0, 5)),
    v('truncated-in-header', 'cut after the updated line', good.subarray(0, lineAt(good, 4).start)),
    v('truncated-in-token-slot', 'cut inside the token slot line', good.subarray(0, lineAt(good, 5).start + 20)),
    v('truncated-after-header', 'nothing after the --- line', good.subarray(0, headerEnd)),
    v('truncated-in-index', 'cut in the middle of the index', good.subarray(0, Math.floor((headerEnd + indexEnd) / 2))),
    v('truncated-after-index', 'no listing after the index', good.subarray(0, indexEnd)),
    v('truncated-after-listing', 'no block after an index that lists one', good.subarray(0, listingEnd)),
    v('truncated-last-byte', 'the last tag byte of the last block missing', good.subarray(0, good.length - 1)),
    v('base64-padded', 'the public key written with = padding', replaceLine(good, 6, (l) => `${l}=`)),
    v('base64-urlsafe', 'a base64url letter (-) in the public key', replaceLine(good, 6, (l) => `pub -${l.slice(5)}`)),
    v('base64-unused-bits', 'the token slot salt with non-zero unused bits', replaceLine(good, 5, (l) => {
      const [, , salt] = l.split(' ') as [string, string, string];
      const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(salt.at(-1)!);
      const odd = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[last | 1]!;
      return l.replace(salt, salt.slice(0, -1) + odd);
    })),
    v('slot-short', 'the owner slot wraps 31 bytes, not 48', replaceLine(good, 4, (l) => `${l.split(' ').slice(0, 3).join(' ')} ${b64(bytes(0, 31))}`)),
    v('extra-line', 'an unknown header line after the agent line', Buffer.concat([good.subarray(0, lineAt(good, 2).start), Buffer.from('comment: hello\n'), good.subarray(lineAt(good, 2).start)])),
    v('missing-pub-line', 'the pub line removed', Buffer.concat([good.subarray(0, lineAt(good, 6).start), good.subarray(lineAt(good, 7).start)])),
    v('missing-index-line', 'the index line removed', Buffer.concat([good.subarray(0, lineAt(good, 7).start), good.subarray(lineAt(good, 8).start)])),
    v('double-space', 'two spaces between the owner slot fields', replaceLine(good, 4, (l) => l.replace(/ (?=[^ ]+$)/, '  '))),
    v('crlf', 'CRLF line endings in the header', Buffer.concat([Buffer.from(header.toString('latin1').replaceAll('\n', '\r\n'), 'latin1'), good.subarray(header.length)])),
    v('swapped', "another agent's intact vault file put in this one's place", otherAgentsFile, REFUSED),
  ];
}

function badStores(good: Buffer): Array<BadVector & { bytes: Buffer }> {
  const s = (file: string, about: string, bytes: Buffer, owner: Expectation = DAMAGED): BadVector & { bytes: Buffer } => ({
    file: `bad/${file}.store`,
    kind: 'store',
    agent: 'bot1',
    about,
    owner,
    bytes,
  });
  const kdf = (params: string): Buffer => replaceLine(good, 1, (l) => l.replace(/m=\d+,t=\d+,p=\d+/, params));
  return [
    s('empty', 'an empty store file', Buffer.alloc(0)),
    s('version-v1', 'the version line says v1, the format before the root key', replaceLine(good, 0, () => 'agent-vault-store/v1')),
    s('version-v3', 'the version line says v3', replaceLine(good, 0, () => 'agent-vault-store/v3')),
    s('kdf-memory-low', 'argon2id memory below 1024 KiB', kdf('m=1023,t=1,p=1')),
    s('kdf-memory-high', 'argon2id memory above 1 GiB', kdf('m=1048577,t=1,p=1')),
    // The bound until 0.1.0: a store file set to it makes every owner command allocate 4 GiB.
    s('kdf-memory-4gib', 'argon2id memory of 4 GiB', kdf('m=4194304,t=1,p=1')),
    s('kdf-iterations-high', 'argon2id passes above 10', kdf('m=1024,t=11,p=1')),
    s('kdf-parallelism-high', 'argon2id lanes above 8', kdf('m=1024,t=1,p=9')),
    s('kdf-zero', 'argon2id passes of 0', kdf('m=1024,t=0,p=1')),
    s('kdf-leading-zero', 'a parameter with a leading zero', kdf('m=01024,t=1,p=1')),
    s('kdf-argon2i', 'argon2i instead of argon2id', replaceLine(good, 1, (l) => l.replace('argon2id', 'argon2i'))),
    s('kdf-salt-short', 'a 15-byte salt', replaceLine(good, 1, (l) => l.replace(/\$[^$]+$/, `$${b64(bytes(0, 15))}`))),
    s('extra-line', 'a line after the keys line', Buffer.concat([good.subarray(0, lineAt(good, 4).start), Buffer.from('extra\n'), good.subarray(lineAt(good, 4).start)])),
    s('missing-slot', 'the passphrase line removed', Buffer.concat([good.subarray(0, lineAt(good, 2).start), good.subarray(lineAt(good, 3).start)])),
    s('truncated-in-slot', 'cut inside the passphrase line', good.subarray(0, lineAt(good, 2).start + 12)),
    s('truncated-body', 'the last byte of the sealed body missing', good.subarray(0, good.length - 1)),
    s('body-changed', 'the last byte of the sealed body flipped: the root key opens, the header does not verify', xorByte(good, good.length - 1)),
    s('keys-nonce-changed', 'a changed letter in the keys nonce', replaceLine(good, 3, (l) => swapChar(l, 8))),
    // GCM cannot tell a damaged slot from a wrong key, so this reads as a wrong passphrase (exit 4).
    s('slot-changed', 'a changed letter in the wrapped root key', replaceLine(good, 2, (l) => swapChar(l, l.length - 5)), REFUSED),
    s('kdf-salt-changed', 'a changed letter in the salt: another passphrase key', replaceLine(good, 1, (l) => swapChar(l, l.length - 5)), REFUSED),
  ];
}

/** Every vector file by its path under test/vectors/, and the manifest describing them. */
export async function makeVectors(): Promise<{ files: Map<string, Buffer>; manifest: Manifest }> {
  const passphraseKey = await derivePassphraseKey(PASSPHRASE, KDF);
  const ownerKey = ROOT_KEY;
  const files = new Map<string, Buffer>();
  const store = storeFile(passphraseKey, ROOT_KEY);
  files.set('store', store);
  const good: GoodVector[] = [];
  const vaults: Buffer[] = [];
  for (const a of AGENTS) {
    const { file, payload, meta, listing, blocks, token } = vaultFile(ownerKey, a);
    files.set(`${a.agent}.vault`, file);
    files.set(`keys/${a.agent}.pub`, keyCertificate(ownerKey, a));
    vaults.push(file);
    good.push({ agent: a.agent, vault: `${a.agent}.vault`, certificate: `keys/${a.agent}.pub`, token, payload, meta, listing, blocks });
  }
  const keys = (AGENTS[0]!.credentials as Array<{ key: string }>).map((c) => c.key) as [string, string];
  const bad = [...badVaults(vaults[0]!, AGENTS[0]!.agent, vaults[1]!, keys, Buffer.byteLength(good[0]!.listing) + 16, Buffer.byteLength(good[0]!.blocks[0]!) + 16), ...badStores(store)];
  for (const { bytes: data, ...vector } of bad) files.set(vector.file, data);
  const manifest: Manifest = {
    about: 'agent-vault format vectors (man/agent-vault.5). Made by test/helpers/make-vectors.ts; regenerate with UPDATE_VECTORS=1 npx vitest run test/unit/format/vectors.test.ts',
    passphrase: PASSPHRASE,
    wrong_passphrase: 'correct horse battery staple',
    inputs: {
      kdf: { memory_kib: KDF.memoryKiB, iterations: KDF.iterations, parallelism: KDF.parallelism, salt_hex: KDF.salt.toString('hex') },
      store_slot_nonce_hex: STORE_SLOT_NONCE.toString('hex'),
      store_keys_nonce_hex: STORE_KEYS_NONCE.toString('hex'),
      root_key_hex: ROOT_KEY.toString('hex'),
      agents: AGENTS.map((a) => ({
        agent: a.agent,
        vault_key_hex: a.vaultKey.toString('hex'),
        token_secret_hex: a.tokenSecret.toString('hex'),
        token_slot_salt_hex: a.tokenSlotSalt.toString('hex'),
        owner_slot_nonce_hex: a.ownerSlotNonce.toString('hex'),
        token_slot_nonce_hex: a.tokenSlotNonce.toString('hex'),
        index_nonce_hex: a.indexNonce.toString('hex'),
        listing_nonce_hex: a.listingNonce.toString('hex'),
        block_nonces_hex: a.blockNonces.map((n) => n.toString('hex')),
        x25519_private_hex: a.x25519Private.toString('hex'),
        created: a.created,
        updated: a.updated,
      })),
    },
    derived: {
      passphrase_key_hex: passphraseKey.toString('hex'),
      store_keys_key_hex: deriveSubkey(ROOT_KEY, Buffer.alloc(0), 'agent-vault/v1 store keys').toString('hex'),
      store_audit_key_hex: deriveSubkey(ROOT_KEY, Buffer.alloc(0), 'agent-vault/v1 store audit').toString('hex'),
      owner_signing_public_key_hex: ownerSigningKey(ownerKey).publicRaw.toString('hex'),
      ...Object.fromEntries(AGENTS.map((a) => [`${a.agent}_payload_key_hex`, deriveSubkey(a.vaultKey, Buffer.alloc(0), 'agent-vault/v1 payload').toString('hex')])),
      ...Object.fromEntries(AGENTS.map((a) => [`${a.agent}_token_slot_key_hex`, deriveSubkey(a.tokenSecret, a.tokenSlotSalt, `agent-vault/v1 token ${a.agent}`).toString('hex')])),
    },
    store: 'store',
    good,
    bad: bad.map(({ bytes: _bytes, ...vector }) => vector),
  };
  files.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return { files, manifest };
}
