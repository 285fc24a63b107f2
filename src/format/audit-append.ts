/**
 * Deciding the next line of an audit log, whatever stores it: which line it chains to,
 * its bytes, and the head that vouches for it afterwards. Pure; the backend runs it
 * under the log's append lock with the log's tail (see src/store/backend.ts).
 */
import type { AuditEvent, AuditRecord } from '../core/audit-event.js';
import {
  checkAnchor,
  checkAuditLineMac,
  currentKey,
  encodeAuditHead,
  encodeAuditLine,
  GENESIS_HASH,
  hashAuditLine,
  parseAuditHead,
  parseAuditLine,
  signAnchor,
  type AuditHead,
  type AuditKeyring,
} from './audit-line.js';

/** The part of a log an appender reads: its head, its newest lines, and a way to find an older one. */
export interface LogTail {
  /** The head's text, if the log has a head. */
  head: string | undefined;
  /** The newest complete lines, oldest first (a bounded window, not always the whole log). */
  lines: string[];
  /** The log holds no line at all. */
  empty: boolean;
  /** Every complete line of the log, oldest first (for a line older than the window); slow. */
  allLines(): Promise<string[]>;
}

/** Who writes the line, and when. */
export interface AppendContext {
  now: Date;
  pid: number;
  host: string;
  /** The log's keys; the line and head are keyed with the newest. Without them the line is unkeyed. */
  keyring?: AuditKeyring;
}

/**
 * `superseded`: nothing may be written, because the log's head is keyed with a newer
 * epoch than the appender's newest key (it opened the vault before `token rotate`
 * started a new epoch, and a retired-epoch line after a newer one fails `audit verify`
 * for good). The head's epoch cannot be checked without the newer key; a forged one
 * only diverts lines, which `audit verify` then reports by the head's MAC.
 */
export type AppendPlan = { line: string; head?: string } | 'superseded';

function parseHeadIfValid(text: string | undefined): AuditHead | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAuditHead(text);
  } catch {
    return undefined;
  }
}

/** The newest line of the window that parses: a torn or damaged one is left for verify to report. */
function lastRecord(lines: string[]): { record: AuditRecord; text: string } | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    try {
      return { record: parseAuditLine(lines[i]!), text: lines[i]! };
    } catch {
      // Chain to the one before.
    }
  }
  return undefined;
}

/** The line with `seq`: in the window, else looked up in the whole log. */
async function lineOfSeq(tail: LogTail, seq: number): Promise<string | undefined> {
  const isSeq = (text: string): boolean => {
    try {
      return parseAuditLine(text).seq === seq;
    } catch {
      return false;
    }
  };
  return tail.lines.find(isSeq) ?? (await tail.allLines()).find(isSeq);
}

async function hashOfSeq(tail: LogTail, seq: number): Promise<string | undefined> {
  const line = await lineOfSeq(tail, seq);
  return line === undefined ? undefined : hashAuditLine(line);
}

/**
 * The head, if an append may trust it and move it forward. A keyed appender trusts
 * only a head keyed with its current key whose anchored line is still in the log, so
 * it never vouches for a log someone else cut or rewrote: a head it cannot trust is
 * left as it is for `audit verify` to report.
 */
async function trustedHead(tail: LogTail, keyring: AuditKeyring | undefined): Promise<AuditHead | undefined> {
  const head = parseHeadIfValid(tail.head);
  if (!head || !keyring) return head;
  const anchor = head.keyed;
  if (!anchor || !checkAnchor(anchor, keyring) || anchor.epoch !== keyring.keys.length - 1 || anchor.seq > head.seq) return undefined;
  if (anchor.seq === head.seq) return anchor.hash === head.hash ? head : undefined;
  return (await hashOfSeq(tail, anchor.seq)) === anchor.hash ? head : undefined;
}

/**
 * Whether the log's newest lines after the head's are one append's lines that a crash
 * kept the head from naming: from the newest valid line back to the one after the
 * head's, each has the seq before the next's, is the line the next names as `prev`, and
 * verifies under the keys, and the first names the head's line. When that run is longer
 * than the tail's window (a crash after a large batch) the whole log is read (slow, and
 * only then) and every line of the run is checked the same way.
 */
async function chainsFromHead(tail: LogTail, head: AuditHead, keyring: AuditKeyring | undefined): Promise<boolean> {
  const inWindow = runChainsFromHead(tail.lines, head, keyring);
  if (inWindow !== 'beyond') return inWindow;
  return runChainsFromHead(await tail.allLines(), head, keyring) === true;
}

/**
 * {@link chainsFromHead} over `lines` (the newest lines of the log, oldest first):
 * `beyond` when the run goes on before the first of them.
 */
function runChainsFromHead(lines: string[], head: AuditHead, keyring: AuditKeyring | undefined): boolean | 'beyond' {
  let i = lines.length - 1;
  let record: AuditRecord | undefined;
  for (; i >= 0 && record === undefined; i -= 1) {
    try {
      record = parseAuditLine(lines[i]!);
    } catch {
      // A torn or damaged newest line is left for verify to report, as lastRecord does.
    }
  }
  if (record === undefined || record.seq <= head.seq) return false;
  const newest = record;
  // Without a key any line can be forged, so an unkeyed appender adopts one append's
  // lines at most (a crash leaves no more behind): the lines planAuditBatch wrote
  // together, which share their time, pid and host. Keyed lines each verify instead.
  const valid = (r: AuditRecord, text: string): boolean =>
    keyring ? checkAuditLineMac(r, text, keyring) : r.ts === newest.ts && r.pid === newest.pid && r.host === newest.host;
  if (!valid(record, lines[i + 1]!)) return false;
  for (; record.seq > head.seq + 1; i -= 1) {
    if (i < 0) return 'beyond';
    const text = lines[i]!;
    let before: AuditRecord;
    try {
      before = parseAuditLine(text);
    } catch {
      return false;
    }
    if (before.seq !== record.seq - 1 || hashAuditLine(text) !== record.prev || !valid(before, text)) return false;
    record = before;
  }
  return record.prev === head.hash;
}

/** The next line of the log for `event`, chained to the newest line the head vouches for. */
export async function planAuditAppend(tail: LogTail, event: AuditEvent, context: AppendContext): Promise<AppendPlan> {
  const parsedHead = parseHeadIfValid(tail.head);
  const signing = context.keyring && currentKey(context.keyring);
  if (signing && parsedHead?.keyed && parsedHead.keyed.epoch > signing.epoch) return 'superseded';
  const last = lastRecord(tail.lines);
  const head = await trustedHead(tail, context.keyring);
  let base = { seq: 0, hash: GENESIS_HASH };
  const lastHash = last && hashAuditLine(last.text);
  if (head) {
    // A crash after the last append and before its head update leaves the head behind by that append's lines.
    const lagging = last !== undefined && (await chainsFromHead(tail, head, context.keyring));
    // Otherwise chain from the head even when the log no longer ends there, so the gap stays visible.
    base = lagging ? { seq: last.record.seq, hash: lastHash! } : { seq: head.seq, hash: head.hash };
  } else if (last) {
    base = { seq: last.record.seq, hash: lastHash! };
  }
  const record = { v: 1 as const, seq: base.seq + 1, ts: context.now.toISOString(), ...event, pid: context.pid, host: context.host, prev: base.hash };
  const line = encodeAuditLine(record, signing);
  // A head is kept from the first line on; a log whose head is missing or untrusted keeps it so.
  if (!head && !(tail.head === undefined && tail.empty)) return { line };
  const hash = hashAuditLine(line);
  const keyed = signing ? signAnchor(record.seq, hash, signing) : head?.keyed;
  return { line, head: encodeAuditHead({ seq: record.seq, hash, ...(keyed ? { keyed } : {}) }) };
}

/** The lines of one operation's events, in order, and the head after the last of them. */
export type AppendBatchPlan = { lines: string[]; head?: string } | 'superseded';

/**
 * The next lines of the log for `events` (one operation's, such as one line per key of
 * a bulk set), written together by one append: each chained to the one before exactly
 * as {@link planAuditAppend} would chain it had they been appended one by one, and the
 * head naming the last. The tail each line after the first sees is the one the line
 * before leaves: its head (or the untrusted head left as it was) and that line alone.
 */
export async function planAuditBatch(tail: LogTail, events: readonly AuditEvent[], context: AppendContext): Promise<AppendBatchPlan> {
  const lines: string[] = [];
  let head: string | undefined;
  let at = tail;
  for (const event of events) {
    const plan = await planAuditAppend(at, event, context);
    if (plan === 'superseded') return plan;
    lines.push(plan.line);
    if (plan.head !== undefined) head = plan.head;
    at = { head: plan.head ?? at.head, lines: [plan.line], empty: false, allLines: at.allLines };
  }
  return head === undefined ? { lines } : { lines, head };
}

/**
 * After `token rotate` starts a new key epoch: the head re-keyed under the new key, if
 * it verifies under the old one, so the head can never again be written with a key the
 * old token could have read. `undefined` leaves the head as it is.
 */
export async function planHeadReanchor(tail: LogTail, previous: AuditKeyring, next: AuditKeyring): Promise<string | undefined> {
  const head = await trustedHead(tail, previous);
  if (!head?.keyed) return undefined;
  return encodeAuditHead({ ...head, keyed: signAnchor(head.keyed.seq, head.keyed.hash, currentKey(next)) });
}
