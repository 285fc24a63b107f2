/**
 * The audit log format, byte-exact (see man/agent-vault.5, AUDIT LOG). Each line is
 * one JSON object with its fields in a fixed order; `prev` chains it to the line
 * before by SHA-256, and a line written by a holder of the vault key carries an
 * HMAC-SHA256 (`epoch`, `mac`) over the line without its `mac` field. The head file
 * beside a log records the newest `seq` and hash, keyed the same way, so a log cut
 * off at the end is caught.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AUDIT_RESULTS, type AuditRecord } from '../core/audit-event.js';
import { FormatError } from './format-error.js';
import { checkTimestamp, checkVersion } from './header-lines.js';
import { deriveStoreAuditKey } from './keys.js';

export const AUDIT_LINE_VERSION = 1;
/** The `prev` of a log's first line: the hash of nothing. */
export const GENESIS_HASH = 'A'.repeat(43);

const HASH = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$/;
const ACTION = /^[a-z][a-z_]*(?:\.[a-z][a-z_]*)+$/;

/**
 * The HMAC keys of one log, one per key epoch, oldest first; new lines use the last.
 * A vault keeps its keys in its payload, so `token rotate` can start a new epoch
 * without orphaning the lines written before it.
 */
export interface AuditKeyring {
  keys: readonly Buffer[];
}

/** The key new lines are written with. */
export interface AuditSigningKey {
  epoch: number;
  key: Buffer;
}

export function currentKey(keyring: AuditKeyring): AuditSigningKey {
  const epoch = keyring.keys.length - 1;
  return { epoch, key: keyring.keys[epoch]! };
}

function digest(bytes: string): string {
  return createHash('sha256').update(bytes).digest('base64').slice(0, 43);
}

function hmac(key: Buffer, bytes: string): string {
  return createHmac('sha256', key).update(bytes).digest('base64').slice(0, 43);
}

function sameMac(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The hash a following line's `prev` names: SHA-256 of the line's bytes without the newline. */
export function hashAuditLine(text: string): string {
  return digest(text);
}

/** The record with its fields in the one order the format allows; `mac` last, when asked. */
function ordered(r: AuditRecord, withMac: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { v: r.v, seq: r.seq, ts: r.ts, actor: r.actor };
  if (r.session !== undefined) o.session = r.session;
  o.agent = r.agent;
  o.action = r.action;
  if (r.key !== undefined) o.key = r.key;
  if (r.to !== undefined) o.to = r.to;
  if (r.program !== undefined) o.program = r.program;
  if (r.proposal !== undefined) o.proposal = r.proposal;
  if (r.service !== undefined) o.service = r.service;
  if (r.request !== undefined) {
    const q = r.request;
    o.request = { method: q.method, host: q.host, path: q.path, status: q.status, bytes: q.bytes };
  }
  if (r.via !== undefined) o.via = r.via;
  if (r.client !== undefined) o.client = r.client;
  o.result = r.result;
  if (r.reason !== undefined) o.reason = r.reason;
  o.pid = r.pid;
  o.host = r.host;
  o.prev = r.prev;
  if (r.epoch !== undefined) o.epoch = r.epoch;
  if (withMac && r.mac !== undefined) o.mac = r.mac;
  return o;
}

/** Encodes a record as one line (without the newline), keyed when `key` is given. */
export function encodeAuditLine(record: Omit<AuditRecord, 'epoch' | 'mac'>, key?: AuditSigningKey): string {
  if (!key) return JSON.stringify(ordered(record, false));
  const unsigned = JSON.stringify(ordered({ ...record, epoch: key.epoch }, false));
  return `${unsigned.slice(0, -1)},"mac":"${hmac(key.key, unsigned)}"}`;
}

function optionalString(o: Record<string, unknown>, field: string): void {
  if (o[field] !== undefined && typeof o[field] !== 'string') throw new FormatError(`audit line field ${field} is not a string`);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function checkRequestSummary(value: unknown): void {
  const q = value as Record<string, unknown> | null;
  if (!q || typeof q !== 'object' || Array.isArray(q) || typeof q.method !== 'string' || typeof q.host !== 'string' || typeof q.path !== 'string' ||
    !isCount(q.status, 0) || !isCount(q.bytes, 0)) {
    throw new FormatError('audit line field request is not a request summary');
  }
}

/**
 * Parses one line strictly: known fields of the right types in the canonical order
 * and spelling, so that a line has exactly one form and its hash and MAC are well defined.
 */
export function parseAuditLine(text: string): AuditRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FormatError('not a JSON line');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FormatError('not a JSON object');
  const o = value as Record<string, unknown>;
  checkVersion('audit line', AUDIT_LINE_VERSION, o.v);
  if (!isCount(o.seq, 1)) throw new FormatError('audit line has no valid seq');
  if (typeof o.ts !== 'string') throw new FormatError('audit line has no valid ts');
  checkTimestamp(o.ts, 'audit line ts');
  if (typeof o.actor !== 'string' || typeof o.agent !== 'string') throw new FormatError('audit line has no actor or agent');
  if (typeof o.action !== 'string' || !ACTION.test(o.action)) throw new FormatError('audit line has no valid action');
  for (const field of ['session', 'key', 'to', 'program', 'proposal', 'service', 'via', 'client', 'reason']) optionalString(o, field);
  if (o.request !== undefined) checkRequestSummary(o.request);
  if (!AUDIT_RESULTS.includes(o.result as never)) throw new FormatError('audit line has no valid result');
  if (!isCount(o.pid, 0) || typeof o.host !== 'string') throw new FormatError('audit line has no pid or host');
  if (typeof o.prev !== 'string' || !HASH.test(o.prev)) throw new FormatError('audit line has no valid prev');
  if ((o.epoch === undefined) !== (o.mac === undefined)) throw new FormatError('audit line has an epoch without a mac or a mac without an epoch');
  if (o.epoch !== undefined && (!isCount(o.epoch, 0) || typeof o.mac !== 'string' || !HASH.test(o.mac))) throw new FormatError('audit line has no valid mac');
  const record = o as unknown as AuditRecord;
  if (JSON.stringify(ordered(record, true)) !== text) throw new FormatError('audit line is not in canonical form');
  return record;
}

/**
 * True when a keyed line's MAC verifies under the keyring's key of its epoch. `text`
 * must be the line `record` was parsed from.
 */
export function checkAuditLineMac(record: AuditRecord, text: string, keyring: AuditKeyring): boolean {
  if (record.epoch === undefined || record.mac === undefined) return false;
  const key = keyring.keys[record.epoch];
  if (!key) return false;
  const unsigned = `${text.slice(0, text.length - `,"mac":"${record.mac}"}`.length)}}`;
  return sameMac(hmac(key, unsigned), record.mac);
}

/** The newest keyed line of a log, as its head vouches for it. */
export interface KeyedAnchor {
  seq: number;
  hash: string;
  epoch: number;
  mac: string;
}

/**
 * The head file: the newest line's `seq` and hash, and the newest keyed line's,
 * with an HMAC. In an agent's log every line is keyed, so both name the same line.
 */
export interface AuditHead {
  seq: number;
  hash: string;
  keyed?: KeyedAnchor;
}

function anchorInput(seq: number, hash: string, epoch: number): string {
  return `agent-vault audit head v${AUDIT_LINE_VERSION} ${seq} ${hash} ${epoch}`;
}

/** Vouches for line `seq` with hash `hash` under `key`. */
export function signAnchor(seq: number, hash: string, key: AuditSigningKey): KeyedAnchor {
  return { seq, hash, epoch: key.epoch, mac: hmac(key.key, anchorInput(seq, hash, key.epoch)) };
}

export function checkAnchor(anchor: KeyedAnchor, keyring: AuditKeyring): boolean {
  const key = keyring.keys[anchor.epoch];
  return key !== undefined && sameMac(hmac(key, anchorInput(anchor.seq, anchor.hash, anchor.epoch)), anchor.mac);
}

export function encodeAuditHead(head: AuditHead): string {
  const o: Record<string, unknown> = { v: AUDIT_LINE_VERSION, seq: head.seq, hash: head.hash };
  if (head.keyed) o.keyed = { seq: head.keyed.seq, hash: head.keyed.hash, epoch: head.keyed.epoch, mac: head.keyed.mac };
  return `${JSON.stringify(o)}\n`;
}

/** Parses a head file strictly (its canonical form only). */
export function parseAuditHead(text: string): AuditHead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FormatError('head file is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FormatError('head file is not a JSON object');
  const o = value as Record<string, unknown>;
  checkVersion('audit head', AUDIT_LINE_VERSION, o.v);
  if (!isCount(o.seq, 0) || typeof o.hash !== 'string' || !HASH.test(o.hash)) throw new FormatError('head file has no valid seq or hash');
  const head: AuditHead = { seq: o.seq, hash: o.hash };
  if (o.keyed !== undefined) {
    const k = o.keyed as Record<string, unknown> | null;
    if (!k || typeof k !== 'object' || !isCount(k.seq, 0) || typeof k.hash !== 'string' || !HASH.test(k.hash) || !isCount(k.epoch, 0) || typeof k.mac !== 'string' || !HASH.test(k.mac)) {
      throw new FormatError('head file has an invalid keyed anchor');
    }
    head.keyed = { seq: k.seq, hash: k.hash, epoch: k.epoch, mac: k.mac };
  }
  if (encodeAuditHead(head) !== text) throw new FormatError('head file is not in canonical form');
  return head;
}

/**
 * The keys of the store's own log, for lines the proven owner writes there: the keys of
 * earlier root keys (`retired`, kept in the store file's body), then the one derived
 * from the current root key. A rekey starts a new epoch; a passphrase change none.
 */
export function storeAuditKeyring(rootKey: Buffer, retired: readonly Buffer[] = []): AuditKeyring {
  return { keys: [...retired, deriveStoreAuditKey(rootKey)] };
}
