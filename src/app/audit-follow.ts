/**
 * Following audit logs as they grow, on any backend: each pass reads the logs the
 * caller may see through the audit interface (`list`, and `stream` from where the last
 * pass stopped) and returns the lines appended since the pass before; between passes
 * it waits for the backend's hint that something changed (`AuditStorage.watch`, file
 * watching in the directory backend), or at most a fixed time, so a backend without
 * hints is polled at that pace.
 */
import type { AuditRecord } from '../core/audit-event.js';
import { IntegrityError } from '../core/errors.js';
import { eachAuditLine } from '../format/audit-chain.js';
import { hashAuditLine, parseAuditLine } from '../format/audit-line.js';
import { agentLog, type AuditLogPosition, type AuditLogRef } from '../store/backend.js';
import type { AuditEntry } from './audit.js';
import type { Session } from './session.js';

/** How long a pass waits at most when the backend gives no hint (it then polls at this pace). */
export const POLL_MS = 1_000;
/**
 * How long a pass waits at most when the backend hints: a missed hint costs no more
 * than this, which keeps `hook run --follow` within 2 s of an event.
 */
export const HINTED_POLL_MS = 2_000;

/** The logs the caller may read: the owner all of them, an agent its own (proved by opening its vault). */
async function readableLogs(session: Session): Promise<AuditLogRef[]> {
  const caller = session.tokenAgent;
  if (caller !== undefined) {
    await session.unlock(caller);
    return [agentLog(caller)];
  }
  await session.rootKey();
  return session.store.audit.list();
}

/** The chain a line starts, if it parses (else the next new line is checked from the one after it). */
function chainOf(line: string): { seq: number; hash: string } | undefined {
  try {
    return { seq: parseAuditLine(line).seq, hash: hashAuditLine(line) };
  } catch {
    return undefined;
  }
}

/** Where a follower is in one log: the last whole line it read, and the chain up to it. */
interface FollowedLog {
  /** The start of the last whole line read, which the next read begins with. */
  from: AuditLogPosition;
  /** That line's text, which must still be there. */
  last: string;
  /** The seq and hash of the newest line read that parses: each new line must chain to it. */
  chain: { seq: number; hash: string } | undefined;
}

const FOLLOW_HINT = 'run agent-vault audit verify, and compare the log with a backup';

/**
 * Reads the caller's logs pass by pass, returning only what each pass finds new: each
 * read starts at the last line the one before read (so a pass costs what was appended,
 * not the log's length), checks that line is still there, unchanged, and that every new
 * line chains to the line before it. A log cut back, replaced or rewritten under the
 * follower is an integrity error (exit 6), as `audit verify` would report it.
 */
export class AuditReader {
  /** Per log name: where the last read stopped. */
  private readonly logs = new Map<string, FollowedLog>();
  private passes = 0;

  constructor(private readonly session: Session) {}

  /**
   * The records appended to each log since the last pass, in file order per log
   * (merge them with mergeAuditLogs). The first pass returns everything there is, or
   * nothing with `skipExisting`; a log that appears later is read from its start,
   * except a retired log, which holds the lines of a log already read under its old name.
   * A log that is gone (deprovisioned) is forgotten.
   */
  async next(options: { skipExisting?: boolean } = {}): Promise<{ logs: AuditEntry[][]; damaged: number }> {
    const first = this.passes === 0;
    this.passes += 1;
    const logs: AuditEntry[][] = [];
    let damaged = 0;
    const listed = await readableLogs(this.session);
    for (const name of [...this.logs.keys()]) if (!listed.some((l) => l.name === name)) this.logs.delete(name);
    for (const log of listed) {
      const known = this.logs.get(log.name);
      const skip = known === undefined && ((first && options.skipExisting === true) || (!first && log.kind === 'retired'));
      const read = await this.readFrom(log, known, skip);
      if (read.state) this.logs.set(log.name, read.state);
      else this.logs.delete(log.name);
      damaged += read.bad;
      if (read.entries.length > 0) logs.push(read.entries);
    }
    return { logs, damaged };
  }

  /**
   * The records of the whole lines after `known` (all of them without it; none kept
   * with `skip`), read in chunks (only those records are held), and where the next read
   * starts: a line being appended right now is read at the next pass.
   */
  private async readFrom(log: AuditLogRef, known: FollowedLog | undefined, skip: boolean): Promise<{ entries: AuditEntry[]; bad: number; state: FollowedLog | undefined }> {
    const where = this.session.store.describeLog(log);
    const stream = await this.session.store.audit.stream(log, known?.from);
    const entries: AuditEntry[] = [];
    let bad = 0;
    if (stream.chunks === undefined) return { entries, bad, state: undefined };
    let at = { lines: known?.from.lines ?? 0, bytes: known?.from.bytes ?? 0 };
    let last: { from: { lines: number; bytes: number }; text: string } | undefined;
    let shown = known?.last;
    let chain = known?.chain;
    await eachAuditLine(stream.chunks, (line) => {
      last = { from: at, text: line };
      at = { lines: at.lines + 1, bytes: at.bytes + Buffer.byteLength(line, 'utf8') + 1 };
      if (shown !== undefined) {
        if (line !== shown) throw new IntegrityError(`the audit log ${where} was rewritten while it was being followed: line ${at.lines} is not the one read before`, FOLLOW_HINT);
        shown = undefined;
        return;
      }
      // Lines skipped at a first read are not parsed: only the last one, below, starts the chain.
      if (skip) return;
      let record: AuditRecord;
      try {
        record = parseAuditLine(line);
      } catch {
        // A torn or damaged line: counted, and the next line chains past it to the one before.
        bad += 1;
        return;
      }
      const hash = hashAuditLine(line);
      // Lines read at the first read of a log are not checked here (that is audit verify's job); what comes after is.
      if (known !== undefined && chain !== undefined && (record.seq !== chain.seq + 1 || record.prev !== chain.hash)) {
        throw new IntegrityError(`the audit log ${where} was rewritten while it was being followed: line ${at.lines} (seq ${record.seq}) does not chain to seq ${chain.seq}`, FOLLOW_HINT);
      }
      chain = { seq: record.seq, hash };
      entries.push({ ...record, log: log.name, hash });
    });
    if (shown !== undefined) throw new IntegrityError(`the audit log ${where} was cut back while it was being followed: line ${at.lines + 1} is gone`, FOLLOW_HINT);
    const ended = last as { from: { lines: number; bytes: number }; text: string } | undefined;
    if (skip && ended !== undefined) chain = chainOf(ended.text);
    // The backend's raw byte offset where it has one: counted from the decoded text, a line with invalid UTF-8 would make it drift.
    const from = ended === undefined ? undefined : { ...ended.from, ...(stream.lastLineStart === undefined ? {} : { bytes: stream.lastLineStart }) };
    const state = from === undefined ? known : { from: { ...from, ...(stream.identity === undefined ? {} : { identity: stream.identity }) }, last: ended!.text, chain };
    return { entries, bad, state };
  }

  /** Forgets what was read, so the next pass returns everything again (after a delivery that must be retried). */
  reset(): void {
    this.logs.clear();
    this.passes = 0;
  }
}

/**
 * Resolves when the backend hints that a log may have changed, after `maxMs`, or when
 * `signal` aborts, whichever comes first.
 */
export function waitForAudit(session: Session, signal: AbortSignal, maxMs?: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      stopWatching?.();
      resolve();
    };
    const stopWatching = session.store.audit.watch?.(done);
    const timer = setTimeout(done, maxMs ?? (stopWatching ? HINTED_POLL_MS : POLL_MS));
    signal.addEventListener('abort', done);
  });
}
