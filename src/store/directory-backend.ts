/**
 * The store as a directory, the default backend:
 *
 * ```
 * <root>/store                              the store file
 * <root>/hooks, hook-cursor                 the owner's hooks and their delivery cursor
 * <root>/audit.jsonl, audit.head            the store's log and its head
 * <root>/vaults/<agent>.vault (.bak)        a vault and its previous generation
 * <root>/vaults/<agent>.audit.jsonl, .head  the agent's log and its head
 * <root>/keys/<agent>.pub                   key certificates
 * <root>/journals/<agent>.journal           a lifecycle change under way
 * <root>/grants/<grantee>/<granter>.<KEY>.grant
 * <root>/proposals/<agent>/<id>.proposal    an agent's proposals
 * <root>/retired/<agent>.<time>.audit.jsonl deprovisioned agents' logs
 * ```
 *
 * Directories are 0700 and files 0600. Every replacement is a temp file, fsync,
 * rename, fsync of the directory; writers of one object are serialised by an O_EXCL
 * lock file beside it (`.lock`), waited for a bounded time. Reads take no lock: a
 * rename makes every read see a whole file. Synchronous fs calls are used on purpose:
 * a command does a handful of small file operations, and the promise API would cost
 * start-up time for no concurrency.
 *
 * Every path is checked before it is used (fs-guard.ts): the directories from the
 * root down with lstat, the file itself as it is opened. A link, FIFO, socket, device
 * or directory where a file belongs, a file where a directory belongs, a foreign owner
 * or a group- or other-writable mode is exit 6 naming the path. Every write goes
 * through fs-ops.ts, the write points a fault-injection test can crash or fail.
 */
import { closeSync, fstatSync, lstatSync, readdirSync, readFileSync, readSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { BusyError, IntegrityError } from '../core/errors.js';
import { isAgentId, isCredentialKey } from '../core/ids.js';
import { isProposalId } from '../format/proposal-file.js';
import { replaceFile, writeNewFile } from './atomic.js';
import { fileBytes } from './file-bytes.js';
import { checkReplaceable, nameExists, openStoreFile, openStoreFileToAppend, readStoreFile, StoreTree, type FileRole } from './fs-guard.js';
import { fsync, fsyncDir, removeDir, removeFile, rename, truncate, writeAll } from './fs-ops.js';
import { withLock } from './lock.js';
import {
  agentLog,
  STORE_LOG,
  WriteConflictError,
  type AuditLogPosition,
  type AuditLogRef,
  type AuditLogStream,
  type AuditStorage,
  type AuditTail,
  type AuditWrite,
  type Generation,
  type ObjectId,
  type ObjectPrefix,
  type StorageBackend,
  type OpenedObject,
  type StoredObject,
} from './backend.js';

/** How far back from the end an append looks for the newest lines. */
const TAIL_BYTES = 64 * 1024;

/**
 * How much of a log `stream` reads at a time: enough for few system calls, and small
 * enough that each decoded chunk is an ordinary young string. Larger strings (from
 * about 128 KiB) go to V8's large-object space and, from about 1 MB, outside the heap,
 * where only full collections free them: 1 MiB chunks let a 1,000,000-line verify
 * grow to 140 MiB, 64 KiB keep it near 70.
 */
export const STREAM_BYTES = 64 * 1024;

const AUDIT_LOG: FileRole = { name: 'an audit log', hint: 'audit verify reports what is missing; restore the log from a backup' };
const AUDIT_HEAD: FileRole = { name: 'an audit head', hint: 'audit verify reports what is missing; restore the head from a backup' };

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** What kind of file an id names, for messages about something else found in its place. */
const KINDS: Array<[prefix: string, name: string, hint: string]> = [
  ['vaults/', 'vault', 'restore it from the .bak beside it or from a backup'],
  ['keys/', 'key certificate', 'the owner certifies the key anew with: agent-vault token rotate <agent>'],
  ['journals/', 'journal', 'remove it if no agent-vault command was interrupted'],
  ['grants/', 'grant', 'remove it; the grant can be made again'],
  ['proposals/', 'proposal', 'remove it; the agent can propose again'],
  ['store', 'store', 'restore it from a backup'],
  ['hooks', 'hooks', 'restore it from a backup, or remove it and add the hooks again'],
  ['hook-cursor', 'hook cursor', 'remove it: the next hook run delivers again what its hooks have not acknowledged since they were added'],
];

function kindOf(id: ObjectId): { name: string; hint: string } {
  const [, name, hint] = KINDS.find(([prefix]) => id.startsWith(prefix)) ?? ['', 'store', ''];
  return { name, hint };
}

/** The role of an object's file, for the messages of fs-guard.ts. */
/** The generation of the open file `fd`: every write renames a new file into place, so a new inode and time mark a new generation. */
function generationOf(fd: number): Generation {
  const stat = fstatSync(fd, { bigint: true });
  return `${stat.ino}.${stat.size}.${stat.mtimeNs}`;
}

function roleOf(id: ObjectId): FileRole {
  const { name, hint } = kindOf(id);
  return { name: `a ${name} file`, hint };
}

/** A directory store. */
export class DirectoryBackend implements StorageBackend {
  /** Objects whose lock this process holds, so a write inside {@link exclusive} does not wait for itself. */
  private readonly held = new Set<ObjectId>();
  readonly audit: AuditStorage;
  /** The store's directories, checked before every use. */
  readonly tree: StoreTree;

  constructor(
    readonly location: string,
    private readonly lockTimeoutMs: number,
  ) {
    this.tree = new StoreTree(location);
    this.audit = new DirectoryAuditLogs(this, lockTimeoutMs);
  }

  /** The file of an object. Ids are built by `objectIds`, which validated their parts. */
  path(id: ObjectId): string {
    const [folder, ...rest] = id.split('/');
    const name = rest.join('/');
    switch (folder) {
      case 'store':
        return join(this.location, 'store');
      case 'hooks':
        return join(this.location, 'hooks');
      case 'hook-cursor':
        return join(this.location, 'hook-cursor');
      case 'vaults':
        return join(this.location, 'vaults', `${name}.vault`);
      case 'keys':
        return join(this.location, 'keys', `${name}.pub`);
      case 'journals':
        return join(this.location, 'journals', `${name}.journal`);
      case 'grants':
        return join(this.location, 'grants', `${name}.grant`);
      case 'proposals':
        return join(this.location, 'proposals', `${name}.proposal`);
      default:
        throw new Error(`not an object id: ${id}`);
    }
  }

  logPath(log: AuditLogRef): string {
    return join(this.location, log.name);
  }

  describe(id: ObjectId): string {
    return this.path(id);
  }

  describeLog(log: AuditLogRef): string {
    return this.logPath(log);
  }

  /** Whether `path`, a name in a store directory, exists, after checking the directories above it. */
  nameExists(path: string): boolean {
    return this.tree.checkDirs(dirname(path)) && nameExists(path);
  }

  async isInitialised(): Promise<boolean> {
    return this.nameExists(this.path('store'));
  }

  async prepare(): Promise<void> {
    this.tree.makeRoot();
    this.tree.makeDirs(join(this.location, 'vaults'));
  }

  async read(id: ObjectId): Promise<StoredObject | undefined> {
    const opened = this.openObject(id);
    if (!opened) return undefined;
    try {
      return { bytes: readFileSync(opened.fd), generation: opened.generation };
    } finally {
      closeSync(opened.fd);
    }
  }

  async readInParts(id: ObjectId): Promise<OpenedObject | undefined> {
    const opened = this.openObject(id);
    if (!opened) return undefined;
    const { generation } = opened;
    // A part asked for after the descriptor was given up (file-bytes.ts) comes from the
    // file opened again, only if it is still this version.
    const reopen = (): number => {
      const again = this.openObject(id);
      if (again?.generation === generation) return again.fd;
      if (again) closeSync(again.fd);
      throw new BusyError(`${this.path(id)} changed while it was being read`, 'try again');
    };
    return { bytes: fileBytes(opened.fd, opened.size, reopen), generation };
  }

  /** The object's file opened for reading after the checks of fs-guard.ts, with its size and generation; undefined when missing. */
  private openObject(id: ObjectId): { fd: number; size: number; generation: Generation } | undefined {
    const path = this.path(id);
    if (!this.tree.checkDirs(dirname(path))) return undefined;
    const opened = openStoreFile(path, roleOf(id));
    if (!opened) return undefined;
    try {
      return { fd: opened.fd, size: opened.stat.size, generation: generationOf(opened.fd) };
    } catch (err) {
      closeSync(opened.fd);
      throw err;
    }
  }

  async exists(id: ObjectId): Promise<boolean> {
    return this.nameExists(this.path(id));
  }

  /** The sorted names in the store directory `dir` (none if it does not exist), after checking it. */
  listDir(dir: string): string[] {
    return this.tree.checkDirs(dir) ? listDir(dir) : [];
  }

  async list(prefix: ObjectPrefix): Promise<ObjectId[]> {
    if (prefix === 'vaults/' || prefix === 'keys/' || prefix === 'journals/') {
      const ending = { 'vaults/': '.vault', 'keys/': '.pub', 'journals/': '.journal' }[prefix];
      return this.listDir(join(this.location, prefix))
        .filter((n) => n.endsWith(ending) && isAgentId(n.slice(0, -ending.length)))
        .map((n) => `${prefix}${n.slice(0, -ending.length)}`);
    }
    if (prefix === 'grants/') {
      const grantees = this.listDir(join(this.location, 'grants')).filter(isAgentId);
      return (await Promise.all(grantees.map((g) => this.list(`grants/${g}/`)))).flat();
    }
    if (prefix === 'proposals/') {
      const agents = this.listDir(join(this.location, 'proposals')).filter(isAgentId);
      return (await Promise.all(agents.map((a) => this.list(`proposals/${a}/`)))).flat();
    }
    if (prefix.startsWith('proposals/')) {
      const agent = prefix.slice('proposals/'.length, -1);
      if (!isAgentId(agent)) return [];
      return this.listDir(join(this.location, 'proposals', agent)).flatMap((n) => {
        const match = /^([a-z2-7]+)\.proposal$/.exec(n);
        return match && isProposalId(match[1]!) ? [`${prefix}${match[1]!}`] : [];
      });
    }
    const grantee = prefix.slice('grants/'.length, -1);
    if (!isAgentId(grantee)) return [];
    return this.listDir(join(this.location, 'grants', grantee)).flatMap((n) => {
      const match = /^([^.]+)\.([^.]+)\.grant$/.exec(n);
      return match && isAgentId(match[1]!) && isCredentialKey(match[2]!) ? [`${prefix}${match[1]!}.${match[2]!}`] : [];
    });
  }

  async create(id: ObjectId, bytes: Uint8Array): Promise<Generation> {
    return this.asWriter(id, async () => {
      if (this.nameExists(this.path(id))) throw new WriteConflictError(id);
      return this.write(id, bytes, false);
    });
  }

  async replace(id: ObjectId, bytes: Uint8Array, expected: Generation, options: { keepPrevious?: boolean } = {}): Promise<Generation> {
    return this.asWriter(id, async () => {
      if (this.generation(id) !== expected) throw new WriteConflictError(id);
      return this.write(id, bytes, options.keepPrevious === true);
    });
  }

  async restorePrevious(id: ObjectId, expected: Generation): Promise<void> {
    await this.asWriter(id, async () => {
      if (this.generation(id) !== expected) throw new WriteConflictError(id);
      const path = this.path(id);
      checkReplaceable(`${path}.bak`, roleOf(id));
      // The .bak is a hard link to the replaced file: renaming it back takes no space.
      rename(`${path}.bak`, path);
      fsyncDir(dirname(path));
    });
  }

  async put(id: ObjectId, bytes: Uint8Array): Promise<void> {
    await this.write(id, bytes, false);
  }

  async remove(id: ObjectId): Promise<boolean> {
    const path = this.path(id);
    const existed = (await this.read(id)) !== undefined;
    checkReplaceable(`${path}.bak`, roleOf(id));
    const removed = [removeFile(`${path}.bak`), removeFile(path)];
    // A removal that a power cut undid would bring back a revoked grant or certificate.
    if (removed.some(Boolean)) fsyncDir(dirname(path));
    return existed;
  }

  async removeAll(prefix: ObjectPrefix): Promise<void> {
    // Without its trailing slash: "dir/" names a link's target, "dir" the link itself.
    const dir = join(this.location, prefix.slice(0, -1));
    if (!this.tree.checkDirs(dirname(dir)) || !nameExists(dir)) return;
    removeTree(dir);
    fsyncDir(dirname(dir));
  }

  async forgetPrevious(id: ObjectId): Promise<void> {
    const path = this.path(id);
    if (!this.tree.checkDirs(dirname(path))) return;
    checkReplaceable(`${path}.bak`, roleOf(id));
    // The old token opens the old generation: its removal must survive a power cut.
    if (removeFile(`${path}.bak`)) fsyncDir(dirname(path));
  }

  async exclusive<T>(id: ObjectId, fn: () => Promise<T>): Promise<T> {
    const path = this.path(id);
    this.tree.makeDirs(dirname(path));
    return withLock(`${path}.lock`, this.lockTimeoutMs, `the ${kindOf(id).name} ${path}`, async () => {
      this.held.add(id);
      try {
        return await fn();
      } finally {
        this.held.delete(id);
      }
    });
  }

  /** Runs a compare-and-write holding the object's lock: the caller's, or its own for this write alone. */
  private asWriter<T>(id: ObjectId, fn: () => Promise<T>): Promise<T> {
    return this.held.has(id) ? fn() : this.exclusive(id, fn);
  }

  private async write(id: ObjectId, bytes: Uint8Array, keepPrevious: boolean): Promise<Generation> {
    const path = this.path(id);
    this.tree.makeDirs(dirname(path));
    replaceFile(path, bytes, { backup: keepPrevious, role: roleOf(id) });
    return this.generation(id)!;
  }

  /**
   * The object's generation, or `undefined` when it is missing: from the opened file's
   * metadata, reading none of its bytes (a compare-and-swap of a 40 MB vault read it
   * twice, before and after the write).
   */
  private generation(id: ObjectId): Generation | undefined {
    const opened = this.openObject(id);
    if (!opened) return undefined;
    closeSync(opened.fd);
    return opened.generation;
  }
}

/**
 * Removes the directory `dir` and everything in it, never following a link: a link
 * found inside is removed itself. The caller checked the directories above `dir`.
 */
function removeTree(dir: string): void {
  const stat = lstatSync(dir, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) {
    removeFile(dir);
    return;
  }
  for (const name of listDir(dir)) removeTree(join(dir, name));
  removeDir(dir);
}

/** The audit logs of a directory store. */
class DirectoryAuditLogs implements AuditStorage {
  constructor(
    private readonly store: DirectoryBackend,
    private readonly lockTimeoutMs: number,
  ) {}

  private headPath(log: AuditLogRef): string {
    return this.store.logPath(log).replace(/\.jsonl$/, '') + '.head';
  }

  private locked<T>(log: AuditLogRef, fn: () => Promise<T>): Promise<T> {
    const path = this.store.logPath(log);
    this.store.tree.makeDirs(dirname(path));
    return withLock(`${path}.lock`, this.lockTimeoutMs, 'the audit log', fn);
  }

  /** A log's or head's text, undefined when missing; its directories and the file itself checked. */
  private readText(path: string, role: FileRole): string | undefined {
    if (!this.store.tree.checkDirs(dirname(path))) return undefined;
    return readStoreFile(path, role)?.toString('utf8');
  }

  /** The log's tail; call from within {@link locked}, which checked (or made) the log's directories. */
  private tail(log: AuditLogRef): AuditTail {
    return this.tailAndSize(log).tail;
  }

  /** {@link tail}, and the log's size in bytes as it was read (0 when missing). */
  private tailAndSize(log: AuditLogRef): { tail: AuditTail; size: number } {
    const path = this.store.logPath(log);
    const allLines = async (): Promise<string[]> => (readStoreFile(path, AUDIT_LOG)?.toString('utf8') ?? '').split('\n').slice(0, -1);
    const head = readStoreFile(this.headPath(log), AUDIT_HEAD)?.toString('utf8');
    const opened = openStoreFile(path, AUDIT_LOG);
    if (!opened) return { tail: { head, lines: [], empty: true, torn: false, allLines }, size: 0 };
    const fd = opened.fd;
    try {
      const size = opened.stat.size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const n = readSync(fd, buffer, read, length - read, size - length + read);
        if (n === 0) break;
        read += n;
      }
      const text = buffer.subarray(0, read).toString('utf8');
      const torn = text !== '' && !text.endsWith('\n');
      const lines = text.split('\n').slice(0, -1);
      // The first line of a window that starts mid-file may be cut: never offer it.
      return { tail: { head, lines: size > length ? lines.slice(1) : lines, empty: size === 0, torn, allLines }, size };
    } finally {
      closeSync(fd);
    }
  }

  /** Replaces the head durably: a temp file (random name, O_EXCL), fsync, rename, fsync of the directory. */
  private writeHead(log: AuditLogRef, text: string): void {
    replaceFile(this.headPath(log), Buffer.from(text), { backup: false, role: AUDIT_HEAD });
  }

  append(log: AuditLogRef, plan: (tail: AuditTail) => AuditWrite | undefined | Promise<AuditWrite | undefined>): Promise<boolean> {
    return this.locked(log, async () => {
      // The size before the append, to cut a failed write back to: no one else appends under the lock.
      const { tail, size: before } = this.tailAndSize(log);
      const write = await plan(tail);
      if (!write || write.lines.length === 0) return false;
      const path = this.store.logPath(log);
      const { fd, created } = openStoreFileToAppend(path, AUDIT_LOG);
      try {
        try {
          // One write with O_APPEND for all the lines; a line torn by a crash before them gets a newline of its own first.
          writeAll(fd, path, Buffer.from(`${tail.torn ? '\n' : ''}${write.lines.join('\n')}\n`));
          // The lines are on the disk before the head that names the last, so a power cut
          // never leaves a head ahead of its log, and an acknowledged line is not lost.
          fsync(fd, path);
        } catch (err) {
          // A disk that filled up mid-write left some of the lines, the last torn, of a write that fails:
          // they are cut off (truncating needs no space), so the log does not record what is undone.
          try {
            truncate(fd, path, before);
          } catch {
            // The lines stay, the last torn, as a crash mid-write leaves them (man 5 says so): the next append
            // ends the torn line and adopts the whole ones before it, and audit verify reports the torn one.
          }
          throw err;
        }
      } finally {
        closeSync(fd);
      }
      // The head's rename flushes the directory, and with it a log created just now.
      if (write.head !== undefined) this.writeHead(log, write.head);
      else if (created) fsyncDir(dirname(path));
      return true;
    });
  }

  rewriteHead(log: AuditLogRef, change: (tail: AuditTail) => string | undefined | Promise<string | undefined>): Promise<void> {
    return this.locked(log, async () => {
      const head = await change(this.tail(log));
      if (head !== undefined) this.writeHead(log, head);
    });
  }

  /**
   * The head first, then the log, as {@link stream} reads them: an append writes its line
   * before the head, so a log read after its head holds at least the lines the head names
   * (read the other way round, an append in between gave a head ahead of its log, and a
   * backup of a store in use then failed its check as cut off).
   */
  async read(log: AuditLogRef): Promise<{ text: string | undefined; head: string | undefined }> {
    const head = this.readText(this.headPath(log), AUDIT_HEAD);
    return { text: this.readText(this.store.logPath(log), AUDIT_LOG), head };
  }

  /**
   * The head first, then the log in chunks of {@link STREAM_BYTES} read from one
   * descriptor, decoded as UTF-8 across chunk boundaries (a character split by a
   * boundary is whole in the text), to the end of the file as it is then. The file is
   * opened at the first chunk asked for (and closed at the end, or when the loop is
   * left), and read from the byte `from` names: a file shorter than that, or not the
   * one `from` was found in, was cut back or replaced under the reader (exit 6). It
   * keeps {@link AuditLogStream.lastLineStart} up to date as it yields.
   */
  async stream(log: AuditLogRef, from?: AuditLogPosition): Promise<AuditLogStream> {
    const head = this.readText(this.headPath(log), AUDIT_HEAD);
    const path = this.store.logPath(log);
    if (!this.store.nameExists(path)) return { head, chunks: undefined };
    const result: AuditLogStream = { head, chunks: undefined };
    const where = this.store.describeLog(log);
    async function* chunks(): AsyncGenerator<string> {
      const opened = openStoreFile(path, AUDIT_LOG);
      // Removed since it was found: nothing to read, as if it had been missing.
      if (!opened) return;
      try {
        const identity = `${opened.stat.dev}:${opened.stat.ino}`;
        result.identity = identity;
        const start = from?.bytes ?? 0;
        if (from?.identity !== undefined && from.identity !== identity) {
          throw new IntegrityError(`the audit log ${where} was replaced while it was being followed`, 'run agent-vault audit verify, and compare the log with a backup');
        }
        if (opened.stat.size < start) {
          throw new IntegrityError(`the audit log ${where} was cut back while it was being followed: it has ${opened.stat.size} bytes, ${start} were read`, 'run agent-vault audit verify, and compare the log with a backup');
        }
        // ignoreBOM keeps a leading BOM in the text, as Buffer#toString does, so the verdict is read()'s.
        const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
        const buffer = Buffer.alloc(STREAM_BYTES);
        let position = start;
        // The offset after the last newline read: 0x0A never occurs inside a UTF-8 sequence, so raw bytes find it.
        let linesEnd = start;
        for (let n = readSync(opened.fd, buffer, 0, STREAM_BYTES, position); n > 0; n = readSync(opened.fd, buffer, 0, STREAM_BYTES, position)) {
          const read = buffer.subarray(0, n);
          const newline = read.lastIndexOf(0x0a);
          if (newline !== -1) {
            const before = newline === 0 ? -1 : read.lastIndexOf(0x0a, newline - 1);
            result.lastLineStart = before === -1 ? linesEnd : position + before + 1;
            linesEnd = position + newline + 1;
          }
          position += n;
          yield decoder.decode(read, { stream: true });
        }
        const rest = decoder.decode();
        if (rest !== '') yield rest;
      } finally {
        closeSync(opened.fd);
      }
    }
    result.chunks = chunks();
    return result;
  }

  async list(): Promise<AuditLogRef[]> {
    const root = this.store.location;
    const logs: AuditLogRef[] = [];
    const storeLog = this.store.logPath(STORE_LOG);
    if ((await this.store.isInitialised()) || this.store.nameExists(storeLog) || this.store.nameExists(this.headPath(STORE_LOG))) logs.push(STORE_LOG);
    const agents = new Set<string>();
    for (const name of this.store.listDir(join(root, 'vaults'))) {
      const agent = /^(.+)\.(?:vault|audit\.jsonl|audit\.head)$/.exec(name)?.[1];
      if (agent !== undefined && isAgentId(agent)) agents.add(agent);
    }
    for (const agent of [...agents].sort()) logs.push(agentLog(agent));
    const retired = new Set<string>();
    for (const name of this.store.listDir(join(root, 'retired'))) {
      const match = /^(([a-z0-9_-]{1,64})\..+\.audit)\.(?:jsonl|head)$/.exec(name);
      if (match && isAgentId(match[2]!) && !retired.has(match[1]!)) {
        retired.add(match[1]!);
        logs.push({ kind: 'retired', name: `retired/${match[1]!}.jsonl`, agent: match[2]! });
      }
    }
    return logs;
  }

  discard(log: AuditLogRef): Promise<void> {
    return this.locked(log, async () => {
      checkReplaceable(this.store.logPath(log), AUDIT_LOG);
      checkReplaceable(this.headPath(log), AUDIT_HEAD);
      const removed = [removeFile(this.store.logPath(log)), removeFile(this.headPath(log))];
      if (removed.some(Boolean)) fsyncDir(dirname(this.store.logPath(log)));
    });
  }

  retire(agent: string, at: string): Promise<void> {
    const log = agentLog(agent);
    const retired: AuditLogRef = { kind: 'retired', name: `retired/${agent}.${at.replaceAll(':', '-')}.audit.jsonl`, agent };
    return this.locked(log, async () => {
      let moved = false;
      for (const [from, to, role] of [
        [this.store.logPath(log), this.store.logPath(retired), AUDIT_LOG],
        [this.headPath(log), this.headPath(retired), AUDIT_HEAD],
      ] as const) {
        if (!checkReplaceable(from, role)) continue;
        this.store.tree.makeDirs(dirname(to));
        checkReplaceable(to, role);
        rename(from, to);
        moved = true;
      }
      // Both directories changed: the retired log must not vanish in a power cut.
      if (moved) {
        fsyncDir(dirname(this.store.logPath(retired)));
        fsyncDir(dirname(this.store.logPath(log)));
      }
    });
  }

  /**
   * Watches the store's directory (the store's log) and `vaults/` (agents' logs) with
   * fs.watch (inotify on Linux): any change there wakes the follower, which re-reads.
   * Where a directory cannot be watched (no inotify watches left, a network file
   * system) it gives no hint, and the follower polls.
   */
  watch(onChange: () => void): (() => void) | undefined {
    const watchers: FSWatcher[] = [];
    const stop = (): void => {
      for (const w of watchers) w.close();
    };
    try {
      for (const dir of [this.store.location, join(this.store.location, 'vaults')]) {
        if (!this.store.tree.checkDirs(dir)) continue;
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // Lock files come and go around every append; the log itself changes after them.
          if (name === null || /\.(?:jsonl|head)$/.test(name)) onChange();
        });
        watcher.on('error', stop);
        watchers.push(watcher);
      }
    } catch {
      stop();
      return undefined;
    }
    return watchers.length > 0 ? stop : undefined;
  }

  restore(log: AuditLogRef, text: string | undefined, head: string | undefined): Promise<void> {
    const path = this.store.logPath(log);
    return this.locked(log, async () => {
      if (checkReplaceable(path, AUDIT_LOG) || checkReplaceable(this.headPath(log), AUDIT_HEAD)) throw new WriteConflictError(log.name);
      // The log is on the disk before its head, as append writes them.
      if (text !== undefined) writeNewFile(path, Buffer.from(text, 'utf8'));
      if (head !== undefined) this.writeHead(log, head);
      else if (text !== undefined) fsyncDir(dirname(path));
    });
  }
}
