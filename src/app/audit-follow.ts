/**
 * Following audit logs as they grow, on any backend: each pass reads the logs the
 * caller may see through the audit interface (`list`, `stream` or `read`) and returns the lines
 * appended since the pass before; between passes it waits for the backend's hint that
 * something changed (`AuditStorage.watch`, file watching in the directory backend),
 * or at most a fixed time, so a backend without hints is polled at that pace.
 */
import type { AuditRecord } from '../core/audit-event.js';
import { eachAuditLine } from '../format/audit-chain.js';
import { hashAuditLine, parseAuditLine } from '../format/audit-line.js';
import { agentLog, type AuditLogRef } from '../store/backend.js';
import { readAuditStream, type AuditEntry } from './audit.js';
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

/** Reads the caller's logs pass by pass, returning only what each pass finds new. */
export class AuditReader {
  /** Per log name: how many characters of whole lines were read. */
  private readonly offsets = new Map<string, number>();
  private passes = 0;

  constructor(private readonly session: Session) {}

  /**
   * The records appended to each log since the last pass, in file order per log
   * (merge them with mergeAuditLogs). The first pass returns everything there is, or
   * nothing with `skipExisting`; a log that appears later is read from its start,
   * except a retired log, which holds the lines of a log already read under its old name.
   */
  async next(options: { skipExisting?: boolean } = {}): Promise<{ logs: AuditEntry[][]; damaged: number }> {
    const first = this.passes === 0;
    this.passes += 1;
    const logs: AuditEntry[][] = [];
    let damaged = 0;
    for (const log of await readableLogs(this.session)) {
      const known = this.offsets.get(log.name);
      const skip = known === undefined && ((first && options.skipExisting === true) || (!first && log.kind === 'retired'));
      const from = skip ? Infinity : (known ?? 0);
      let read = await this.readFrom(log, from);
      // A log that shrank was replaced (restored): read it again from its start.
      if (!skip && read.end < from) read = await this.readFrom(log, 0);
      this.offsets.set(log.name, read.end);
      if (read.from >= read.end) continue;
      damaged += read.bad;
      logs.push(read.records.map((r: AuditRecord) => ({ ...r, log: log.name, hash: hashAuditLine(JSON.stringify(r)) })));
    }
    return { logs, damaged };
  }

  /**
   * The records of the whole lines that begin at or after character `from` of a log,
   * read in chunks (only those records are held), and where its whole lines end: a
   * line being appended right now is read at the next pass.
   */
  private async readFrom(log: AuditLogRef, from: number): Promise<{ from: number; end: number; records: AuditRecord[]; bad: number }> {
    const { chunks } = await readAuditStream(this.session.store.audit, log);
    const records: AuditRecord[] = [];
    let bad = 0;
    let end = 0;
    if (chunks !== undefined) {
      await eachAuditLine(chunks, (line) => {
        const start = end;
        end += line.length + 1;
        if (start < from) return;
        try {
          records.push(parseAuditLine(line));
        } catch {
          bad += 1;
        }
      });
    }
    return { from, end, records, bad };
  }

  /** Forgets what was read, so the next pass returns everything again (after a delivery that must be retried). */
  reset(): void {
    this.offsets.clear();
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
