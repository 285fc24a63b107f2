/**
 * The one module that writes audit logs. An append takes the log's short append lock,
 * chains the new line to the newest one its head vouches for, writes it with O_APPEND
 * in a single write, and replaces the head. The head is renamed into place without
 * fsync: a head lost in a crash lags one line behind, which `audit verify` allows for
 * lines that verify.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AuditEvent, AuditRecord } from '../core/audit-event.js';
import { checkAuditLog, splitAuditLog, type AuditCheck, type AuditCheckOptions } from '../format/audit-chain.js';
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
} from '../format/audit-line.js';
import { FILE_MODE } from './atomic.js';
import { withLockSync } from './lock.js';
import { auditHeadPath, auditLockPath } from './paths.js';

/** How far back from the end an append looks for the newest line. */
const TAIL_BYTES = 64 * 1024;

export interface AppendOptions {
  now: Date;
  /** The log's keys; the line and head are keyed with the newest. Without them the line is unkeyed. */
  keyring?: AuditKeyring;
  lockTimeoutMs: number;
}

/** Reads a file, or `undefined` when it does not exist. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

interface Tail {
  /** The newest complete line that parses, with its text. */
  last: { record: AuditRecord; text: string } | undefined;
  empty: boolean;
  /** The file does not end with a newline: a torn line the next append must not run into. */
  torn: boolean;
}

function readTail(path: string): Tail {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { last: undefined, empty: true, torn: false };
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    const { lines, torn } = splitAuditLog(buffer.subarray(0, read).toString('utf8'));
    // The first line of a chunk that starts mid-file may be cut: never use it.
    const first = size > length ? 1 : 0;
    let last: Tail['last'];
    for (let i = lines.length - 1; i >= first && !last; i -= 1) {
      try {
        last = { record: parseAuditLine(lines[i]!), text: lines[i]! };
      } catch {
        // A torn or damaged line: verify reports it; chain to the one before.
      }
    }
    return { last, empty: size === 0, torn: torn !== undefined };
  } finally {
    closeSync(fd);
  }
}

/** The hash of the line with `seq` in the whole log, if there is one. */
function hashOfSeq(path: string, seq: number): string | undefined {
  for (const text of splitAuditLog(readTextIfExists(path) ?? '').lines) {
    try {
      if (parseAuditLine(text).seq === seq) return hashAuditLine(text);
    } catch {
      // Not a line the anchor can name.
    }
  }
  return undefined;
}

function parseHeadIfValid(headText: string | undefined): AuditHead | undefined {
  if (headText === undefined) return undefined;
  try {
    return parseAuditHead(headText);
  } catch {
    return undefined;
  }
}

/**
 * The head, if an append may trust it and move it forward. A keyed appender trusts
 * only a head keyed with its current key whose anchored line is still in the log, so
 * it never vouches for a log someone else cut or rewrote: a head it cannot trust is
 * left as it is for `audit verify` to report.
 */
function trustedHead(log: string, head: AuditHead | undefined, keyring: AuditKeyring | undefined): AuditHead | undefined {
  if (!head || !keyring) return head;
  const anchor = head.keyed;
  if (!anchor || !checkAnchor(anchor, keyring) || anchor.epoch !== keyring.keys.length - 1 || anchor.seq > head.seq) return undefined;
  if (anchor.seq === head.seq) return anchor.hash === head.hash ? head : undefined;
  return hashOfSeq(log, anchor.seq) === anchor.hash ? head : undefined;
}

function writeHead(path: string, head: AuditHead): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, encodeAuditHead(head), { mode: FILE_MODE });
  renameSync(temp, path);
}

/**
 * `appended`, or `superseded` when nothing was written because the log's head is keyed
 * with a newer epoch than the appender's newest key.
 */
export type AppendOutcome = 'appended' | 'superseded';

/**
 * Appends `event` to the log at `log` (created 0600), keyed when `options.keyring` is
 * given, and moves the head forward. Concurrent appenders are serialised by the log's
 * append lock, so the chain never forks.
 *
 * A keyed appender whose newest key is older than the head's epoch writes nothing and
 * returns `superseded`: it opened the vault before `token rotate` started a new epoch,
 * and a line keyed with a retired epoch after a newer one would fail `audit verify`
 * for good. The caller records the event elsewhere. The head's epoch cannot be checked
 * without the newer key; a forged one only diverts lines, which `audit verify` then
 * reports by the head's MAC.
 */
export function appendAuditEvent(log: string, event: AuditEvent, options: AppendOptions): AppendOutcome {
  const headPath = auditHeadPath(log);
  return withLockSync(auditLockPath(log), options.lockTimeoutMs, 'the audit log', (): AppendOutcome => {
    const headText = readTextIfExists(headPath);
    const parsedHead = parseHeadIfValid(headText);
    const signing = options.keyring && currentKey(options.keyring);
    if (signing && parsedHead?.keyed && parsedHead.keyed.epoch > signing.epoch) return 'superseded';
    const tail = readTail(log);
    const head = trustedHead(log, parsedHead, options.keyring);
    let base = { seq: 0, hash: GENESIS_HASH };
    const lastHash = tail.last && hashAuditLine(tail.last.text);
    if (head) {
      const last = tail.last?.record;
      // A crash after the last append and before its head update leaves the head one line behind.
      const lagging = last !== undefined && last.seq === head.seq + 1 && last.prev === head.hash && (!options.keyring || checkAuditLineMac(last, tail.last!.text, options.keyring));
      // Otherwise chain from the head even when the log no longer ends there, so the gap stays visible.
      base = lagging ? { seq: last.seq, hash: lastHash! } : { seq: head.seq, hash: head.hash };
    } else if (tail.last) {
      base = { seq: tail.last.record.seq, hash: lastHash! };
    }
    const record = { v: 1 as const, seq: base.seq + 1, ts: options.now.toISOString(), ...event, pid: process.pid, host: hostname(), prev: base.hash };
    const text = encodeAuditLine(record, signing);
    const fd = openSync(log, 'a', FILE_MODE);
    try {
      writeSync(fd, Buffer.from(`${tail.torn ? '\n' : ''}${text}\n`));
    } finally {
      closeSync(fd);
    }
    if (head || (headText === undefined && tail.empty)) {
      const hash = hashAuditLine(text);
      const keyed = signing ? signAnchor(record.seq, hash, signing) : head?.keyed;
      writeHead(headPath, { seq: record.seq, hash, ...(keyed ? { keyed } : {}) });
    }
    return 'appended';
  });
}

/**
 * After `token rotate` starts a new key epoch: re-keys the head under the new key, if
 * it verifies under the old one, so the head can never again be written with a key
 * the old token could have read.
 */
export function reanchorAuditHead(log: string, previous: AuditKeyring, next: AuditKeyring, lockTimeoutMs: number): void {
  const headPath = auditHeadPath(log);
  withLockSync(auditLockPath(log), lockTimeoutMs, 'the audit log', () => {
    const head = trustedHead(log, parseHeadIfValid(readTextIfExists(headPath)), previous);
    if (!head?.keyed) return;
    writeHead(headPath, { ...head, keyed: signAnchor(head.keyed.seq, head.keyed.hash, currentKey(next)) });
  });
}

/** Checks the log at `log` against its head file. */
export function verifyAuditLogFile(log: string, options: AuditCheckOptions): AuditCheck {
  return checkAuditLog(readTextIfExists(log), readTextIfExists(auditHeadPath(log)), options);
}
