/**
 * Checking a whole audit log against its head: every line parses, `seq` counts up by
 * one, `prev` names the line before, keyed lines verify under the vault's keys with
 * epochs that never go back, and the line the head names is still there, unchanged.
 */
import type { AuditRecord } from '../core/audit-event.js';
import {
  checkAnchor,
  checkAuditLineMac,
  GENESIS_HASH,
  hashAuditLine,
  parseAuditHead,
  parseAuditLine,
  type AuditHead,
  type AuditKeyring,
} from './audit-line.js';
import { FormatError } from './format-error.js';

/** One thing wrong with a log; `line` is the 1-based line number in the file, if one is to blame. */
export interface AuditProblem {
  line?: number;
  message: string;
}

export interface AuditCheck {
  /** Lines in the file (a torn last line included). */
  lines: number;
  /** The newest line's seq and hash, as an anchor to keep elsewhere. */
  last: { seq: number; hash: string };
  head: AuditHead | undefined;
  problems: AuditProblem[];
}

export interface AuditCheckOptions {
  /** The log's keys; without them only the chain and the head's seq and hash are checked. */
  keyring?: AuditKeyring;
  /** Every line must be keyed (an agent's log); otherwise unkeyed lines are allowed (the store's log). */
  requireKeyed: boolean;
  /**
   * The keyed action a log must begin with, for a log that must exist: `agent.provision`
   * for the log of a provisioned agent, `store.init` for an initialised store's. A log
   * deleted with its head, or deleted and begun again by a later append, is then caught.
   */
  origin?: string;
}

/** Splits a log into its lines; a last line without a newline is returned as `torn`. */
export function splitAuditLog(text: string): { lines: string[]; torn: string | undefined } {
  if (text === '') return { lines: [], torn: undefined };
  const lines = text.split('\n');
  const last = lines.pop()!;
  return { lines, torn: last === '' ? undefined : last };
}

/** Checks a log's text against its head file's text (each `undefined` when the file does not exist). */
export function checkAuditLog(logText: string | undefined, headText: string | undefined, options: AuditCheckOptions): AuditCheck {
  const checker = new AuditChainChecker(headText, logText !== undefined, options);
  const { lines, torn } = splitAuditLog(logText ?? '');
  for (const line of lines) checker.line(line);
  return checker.finish(torn);
}

/**
 * Checks a log read in chunks of text (a line may span two, as the chunks of
 * `AuditStorage.stream` do), holding one line at a time: the verdict of
 * {@link checkAuditLog} over the chunks joined. `chunks` is undefined when the log is missing.
 */
export async function checkAuditStream(chunks: AsyncIterable<string> | undefined, headText: string | undefined, options: AuditCheckOptions): Promise<AuditCheck> {
  const checker = new AuditChainChecker(headText, chunks !== undefined, options);
  const torn = chunks === undefined ? undefined : await eachAuditLine(chunks, (line) => checker.line(line));
  return checker.finish(torn);
}

/**
 * Calls `onLine` with each complete line of a log read in chunks, in order, and
 * returns its torn last line (text after the last newline), if any: the lines and
 * `torn` of {@link splitAuditLog} over the chunks joined, without joining them.
 */
export async function eachAuditLine(chunks: AsyncIterable<string>, onLine: (line: string) => void): Promise<string | undefined> {
  let carry = '';
  for await (const chunk of chunks) {
    let start = 0;
    let end = chunk.indexOf('\n');
    if (end !== -1 && carry !== '') {
      onLine(carry + chunk.slice(0, end));
      carry = '';
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    for (; end !== -1; start = end + 1, end = chunk.indexOf('\n', start)) onLine(chunk.slice(start, end));
    carry += chunk.slice(start);
  }
  return carry === '' ? undefined : carry;
}

/**
 * The state of checking one log line by line: what the lines so far say (the last
 * seq, hash and epoch, the lines the head names), never the lines themselves.
 */
class AuditChainChecker {
  private readonly problems: AuditProblem[] = [];
  private readonly head: AuditHead | undefined;
  private count = 0;
  private prevSeq = 0;
  private prevHash = GENESIS_HASH;
  private prevEpoch = 0;
  private lastKeyedSeq = 0;
  private headLineHash: string | undefined;
  private anchorLineHash: string | undefined;

  constructor(
    private readonly headText: string | undefined,
    logExists: boolean,
    private readonly options: AuditCheckOptions,
  ) {
    const { problems } = this;
    if (!logExists && options.origin !== undefined) {
      problems.push({ message: `the log file is missing, though it must begin with ${options.origin}: it was deleted` });
    } else if (!logExists && headText !== undefined) {
      problems.push({ message: 'the log file is missing but its head file is there: the log was deleted' });
    }
    if (headText !== undefined) {
      try {
        this.head = parseAuditHead(headText);
      } catch (err) {
        problems.push({ message: `its head file is damaged: ${(err as FormatError).message}` });
      }
    }
  }

  /** Checks the next complete line (without its newline). */
  line(text: string): void {
    const { problems, head } = this;
    const { keyring, requireKeyed, origin } = this.options;
    const index = this.count;
    this.count += 1;
    const line = index + 1;
    let record: AuditRecord;
    try {
      record = parseAuditLine(text);
    } catch (err) {
      problems.push({ line, message: `not a valid audit line (${(err as FormatError).message}): edited, or torn by a crash` });
      return;
    }
    const hash = hashAuditLine(text);
    if (index === 0 && origin !== undefined && (record.action !== origin || record.mac === undefined)) {
      problems.push({ line, message: `the log begins with ${record.mac === undefined ? 'an unkeyed' : 'a'} ${record.action} line, not a keyed ${origin}: it was deleted and begun again, or its start was cut` });
    }
    if (record.mac === undefined) {
      if (keyring && requireKeyed) problems.push({ line, message: 'the line is not keyed: it was not written by agent-vault' });
    } else if (keyring) {
      if (!checkAuditLineMac(record, text, keyring)) problems.push({ line, message: 'its MAC does not verify: the line was edited or forged' });
      else if (record.epoch! < this.prevEpoch) problems.push({ line, message: `keyed with epoch ${record.epoch} after epoch ${this.prevEpoch}: written with a key retired by token rotate` });
      else this.prevEpoch = record.epoch!;
    }
    if (record.seq !== this.prevSeq + 1) {
      problems.push({ line, message: `seq ${record.seq} where ${this.prevSeq + 1} was expected: a line was removed, inserted or moved here` });
    } else if (record.prev !== this.prevHash) {
      problems.push({ line, message: 'does not chain to the line before: that line was edited, or this one inserted or moved' });
    }
    if (head && record.seq === head.seq && this.headLineHash === undefined) this.headLineHash = hash;
    if (head?.keyed && record.seq === head.keyed.seq && this.anchorLineHash === undefined) this.anchorLineHash = hash;
    if (record.mac !== undefined) this.lastKeyedSeq = record.seq;
    this.prevSeq = record.seq;
    this.prevHash = hash;
  }

  /** The verdict, once every complete line was given; `torn` is the text after the last newline. */
  finish(torn: string | undefined): AuditCheck {
    const { problems, head, prevSeq } = this;
    if (torn !== undefined) problems.push({ line: this.count + 1, message: 'the last line is incomplete: torn by a crash or cut' });
    checkHead(problems, head, this.headText, { lastSeq: prevSeq, headLineHash: this.headLineHash, anchorLineHash: this.anchorLineHash, lastKeyedSeq: this.lastKeyedSeq }, this.options);
    return { lines: this.count + (torn === undefined ? 0 : 1), last: { seq: prevSeq, hash: this.prevHash }, head, problems };
  }
}

function checkHead(
  problems: AuditProblem[],
  head: AuditHead | undefined,
  headText: string | undefined,
  seen: { lastSeq: number; headLineHash: string | undefined; anchorLineHash: string | undefined; lastKeyedSeq: number },
  { keyring, requireKeyed, origin }: AuditCheckOptions,
): void {
  if (headText === undefined) {
    if (seen.lastSeq > 0 || origin !== undefined) problems.push({ message: 'its head file is missing: whether lines were cut off the end cannot be checked' });
    return;
  }
  if (!head) return;
  const before = problems.length;
  if (head.seq > seen.lastSeq) {
    problems.push({ message: `the log ends at seq ${seen.lastSeq} but its head records seq ${head.seq}: lines were cut off the end` });
  } else if (head.seq > 0 && seen.headLineHash !== head.hash) {
    problems.push({ message: `the line with seq ${head.seq} is not the one its head records: the log was rewritten` });
  }
  if (!keyring) return;
  const anchor = head.keyed;
  if (!anchor) {
    if (requireKeyed || seen.lastKeyedSeq > 0) problems.push({ message: 'its head file is not keyed: it was not written by agent-vault' });
    return;
  }
  if (!checkAnchor(anchor, keyring)) {
    problems.push({ message: 'the MAC of its head file does not verify: the head was forged' });
  } else if (anchor.epoch !== keyring.keys.length - 1) {
    problems.push({ message: `its head is keyed with epoch ${anchor.epoch}, not the current ${keyring.keys.length - 1}: it was rolled back` });
  } else if (problems.length > before) {
    return; // the end of the log is already reported
  } else if (anchor.seq > seen.lastSeq) {
    problems.push({ message: `the log ends at seq ${seen.lastSeq} but its head records seq ${anchor.seq}: lines were cut off the end` });
  } else if (anchor.seq > 0 && seen.anchorLineHash !== anchor.hash) {
    problems.push({ message: `the line with seq ${anchor.seq} is not the one its head records: the log was rewritten` });
  }
}
