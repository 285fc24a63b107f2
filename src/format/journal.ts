/**
 * The lifecycle journal: one entry per agent whose provisioning, token rotation or
 * deprovisioning is under way, written before the first change and removed after the
 * last (man/agent-vault.5, JOURNAL). An entry left behind by a crash tells the next
 * owner command what to finish or undo. Entries are HMAC'd with the journal key, so a
 * planted one is refused rather than obeyed: obeying it could deprovision an agent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isAgentId } from '../core/ids.js';
import { checkTimestamp } from './header-lines.js';
import { FormatError } from './format-error.js';
import { deriveJournalKey } from './keys.js';

export const JOURNAL_VERSION = 1;

/** The multi-object changes the journal covers. */
export type JournalOp = 'provision' | 'rotate' | 'deprovision';

const OPS: readonly JournalOp[] = ['provision', 'rotate', 'deprovision'];

export interface JournalEntry {
  op: JournalOp;
  agent: string;
  /** When the change began (UTC, ISO 8601). */
  at: string;
  /**
   * The public key (base64) of the vault the change is about: for `provision` and
   * `rotate` the one the new vault carries, for `deprovision` the one being removed.
   * It ties the entry to that one vault, so a genuine entry saved and put back after
   * its change was finished (a replay) cannot act on a later vault of the same agent.
   */
  pub: string;
}

function unsigned(entry: JournalEntry): string {
  return JSON.stringify({ v: JOURNAL_VERSION, op: entry.op, agent: entry.agent, at: entry.at, pub: entry.pub });
}

function mac(ownerKey: Buffer, text: string): string {
  return createHmac('sha256', deriveJournalKey(ownerKey)).update(text).digest('base64url');
}

/** The entry's bytes: one JSON line ending in its MAC. */
export function encodeJournalEntry(entry: JournalEntry, ownerKey: Buffer): Buffer {
  const text = unsigned(entry);
  return Buffer.from(`${text.slice(0, -1)},"mac":"${mac(ownerKey, text)}"}\n`);
}

/** Parses and authenticates an entry; anything else is a FormatError (exit 6). */
export function parseJournalEntry(bytes: Buffer, ownerKey: Buffer): JournalEntry {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FormatError('journal entry is not JSON');
  }
  const d = data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || d.v !== JOURNAL_VERSION || typeof d.op !== 'string' || !OPS.includes(d.op as JournalOp)) {
    throw new FormatError('journal entry has an unsupported version or operation');
  }
  if (typeof d.agent !== 'string' || !isAgentId(d.agent) || typeof d.at !== 'string' || typeof d.mac !== 'string' || typeof d.pub !== 'string') {
    throw new FormatError('journal entry has an invalid field');
  }
  checkTimestamp(d.at, 'journal entry time');
  const entry: JournalEntry = { op: d.op as JournalOp, agent: d.agent, at: d.at, pub: d.pub };
  const text = unsigned(entry);
  const expected = Buffer.from(mac(ownerKey, text));
  const given = Buffer.from(d.mac);
  // The canonical form with the given MAC must be the bytes; the MAC itself is compared in constant time.
  const canonical = `${text.slice(0, -1)},"mac":"${d.mac}"}\n` === bytes.toString('utf8');
  if (!canonical || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new FormatError('journal entry does not verify: it was altered or not written by this store\'s owner');
  }
  return entry;
}

/**
 * The operation an entry names, read without its MAC, for callers who cannot check it
 * (an agent): only ever used to refuse more, never to do anything.
 */
export function peekJournalOp(bytes: Buffer): JournalOp | undefined {
  try {
    const op = (JSON.parse(bytes.toString('utf8')) as { op?: unknown }).op;
    return OPS.includes(op as JournalOp) ? (op as JournalOp) : undefined;
  } catch {
    return undefined;
  }
}
