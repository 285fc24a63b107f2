/**
 * The store as a directory, the default backend:
 *
 * ```
 * <root>/store                              the store file
 * <root>/audit.jsonl, audit.head            the store's log and its head
 * <root>/vaults/<agent>.vault (.bak)        a vault and its previous generation
 * <root>/vaults/<agent>.audit.jsonl, .head  the agent's log and its head
 * <root>/keys/<agent>.pub                   key certificates
 * <root>/journals/<agent>.journal           a lifecycle change under way
 * <root>/grants/<grantee>/<granter>.<KEY>.grant
 * <root>/retired/<agent>.<time>.audit.jsonl deprovisioned agents' logs
 * ```
 *
 * Directories are 0700 and files 0600. Every replacement is a temp file, fsync,
 * rename, fsync of the directory; writers of one object are serialised by an O_EXCL
 * lock file beside it (`.lock`), waited for a bounded time. Reads take no lock: a
 * rename makes every read see a whole file. Synchronous fs calls are used on purpose:
 * a command does a handful of small file operations, and the promise API would cost
 * start-up time for no concurrency.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IntegrityError } from '../core/errors.js';
import { isAgentId, isCredentialKey } from '../core/ids.js';
import { ensurePrivateDir, FILE_MODE, replaceFile } from './atomic.js';
import { withLock } from './lock.js';
import {
  agentLog,
  STORE_LOG,
  WriteConflictError,
  type AuditLogRef,
  type AuditStorage,
  type AuditTail,
  type AuditWrite,
  type Generation,
  type ObjectId,
  type ObjectPrefix,
  type StorageBackend,
  type StoredObject,
} from './backend.js';

/** How far back from the end an append looks for the newest lines. */
const TAIL_BYTES = 64 * 1024;

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

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
  ['store', 'store', 'restore it from a backup'],
];

function kindOf(id: ObjectId): { name: string; hint: string } {
  const [, name, hint] = KINDS.find(([prefix]) => id.startsWith(prefix)) ?? ['', 'store', ''];
  return { name, hint };
}

/** A directory store. */
export class DirectoryBackend implements StorageBackend {
  /** Objects whose lock this process holds, so a write inside {@link exclusive} does not wait for itself. */
  private readonly held = new Set<ObjectId>();
  readonly audit: AuditStorage;

  constructor(
    readonly location: string,
    private readonly lockTimeoutMs: number,
  ) {
    this.audit = new DirectoryAuditLogs(this, lockTimeoutMs);
  }

  /** The file of an object. Ids are built by `objectIds`, which validated their parts. */
  path(id: ObjectId): string {
    const [folder, ...rest] = id.split('/');
    const name = rest.join('/');
    switch (folder) {
      case 'store':
        return join(this.location, 'store');
      case 'vaults':
        return join(this.location, 'vaults', `${name}.vault`);
      case 'keys':
        return join(this.location, 'keys', `${name}.pub`);
      case 'journals':
        return join(this.location, 'journals', `${name}.journal`);
      case 'grants':
        return join(this.location, 'grants', `${name}.grant`);
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

  async isInitialised(): Promise<boolean> {
    return existsSync(this.path('store'));
  }

  async prepare(): Promise<void> {
    ensurePrivateDir(this.location);
    ensurePrivateDir(join(this.location, 'vaults'));
  }

  async read(id: ObjectId): Promise<StoredObject | undefined> {
    const path = this.path(id);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const stat = fstatSync(fd, { bigint: true });
      if (!stat.isFile()) {
        const kind = kindOf(id);
        throw new IntegrityError(`${path} is not a ${kind.name} file`, kind.hint);
      }
      const bytes = readFileSync(fd);
      // Every write renames a new file into place, so a new inode and time mark a new generation.
      return { bytes, generation: `${stat.ino}.${stat.size}.${stat.mtimeNs}` };
    } finally {
      closeSync(fd);
    }
  }

  async exists(id: ObjectId): Promise<boolean> {
    return existsSync(this.path(id));
  }

  async list(prefix: ObjectPrefix): Promise<ObjectId[]> {
    if (prefix === 'vaults/' || prefix === 'keys/' || prefix === 'journals/') {
      const ending = { 'vaults/': '.vault', 'keys/': '.pub', 'journals/': '.journal' }[prefix];
      return listDir(join(this.location, prefix))
        .filter((n) => n.endsWith(ending) && isAgentId(n.slice(0, -ending.length)))
        .map((n) => `${prefix}${n.slice(0, -ending.length)}`);
    }
    if (prefix === 'grants/') {
      const grantees = listDir(join(this.location, 'grants')).filter(isAgentId);
      return (await Promise.all(grantees.map((g) => this.list(`grants/${g}/`)))).flat();
    }
    const grantee = prefix.slice('grants/'.length, -1);
    if (!isAgentId(grantee)) return [];
    return listDir(join(this.location, 'grants', grantee)).flatMap((n) => {
      const match = /^([^.]+)\.([^.]+)\.grant$/.exec(n);
      return match && isAgentId(match[1]!) && isCredentialKey(match[2]!) ? [`${prefix}${match[1]!}.${match[2]!}`] : [];
    });
  }

  async create(id: ObjectId, bytes: Uint8Array): Promise<Generation> {
    return this.asWriter(id, async () => {
      if (existsSync(this.path(id))) throw new WriteConflictError(id);
      return this.write(id, bytes, false);
    });
  }

  async replace(id: ObjectId, bytes: Uint8Array, expected: Generation, options: { keepPrevious?: boolean } = {}): Promise<Generation> {
    return this.asWriter(id, async () => {
      if ((await this.read(id))?.generation !== expected) throw new WriteConflictError(id);
      return this.write(id, bytes, options.keepPrevious === true);
    });
  }

  async put(id: ObjectId, bytes: Uint8Array): Promise<void> {
    await this.write(id, bytes, false);
  }

  async remove(id: ObjectId): Promise<boolean> {
    const path = this.path(id);
    const existed = (await this.read(id)) !== undefined;
    rmSync(`${path}.bak`, { force: true });
    rmSync(path, { force: true });
    return existed;
  }

  async removeAll(prefix: ObjectPrefix): Promise<void> {
    rmSync(join(this.location, prefix), { recursive: true, force: true });
  }

  async forgetPrevious(id: ObjectId): Promise<void> {
    rmSync(`${this.path(id)}.bak`, { force: true });
  }

  async exclusive<T>(id: ObjectId, fn: () => Promise<T>): Promise<T> {
    const path = this.path(id);
    ensurePrivateDir(dirname(path));
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
    ensurePrivateDir(dirname(path));
    replaceFile(path, bytes, { backup: keepPrevious });
    return (await this.read(id))!.generation;
  }
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
    ensurePrivateDir(dirname(path));
    return withLock(`${path}.lock`, this.lockTimeoutMs, 'the audit log', fn);
  }

  private tail(log: AuditLogRef): AuditTail & { torn: boolean } {
    const path = this.store.logPath(log);
    const findLine = async (match: (line: string) => boolean): Promise<string | undefined> => (readIfExists(path) ?? '').split('\n').find(match);
    const head = readIfExists(this.headPath(log));
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { head, lines: [], empty: true, torn: false, findLine };
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
      const text = buffer.subarray(0, read).toString('utf8');
      const torn = text !== '' && !text.endsWith('\n');
      const lines = text.split('\n').slice(0, -1);
      // The first line of a window that starts mid-file may be cut: never offer it.
      return { head, lines: size > length ? lines.slice(1) : lines, empty: size === 0, torn, findLine };
    } finally {
      closeSync(fd);
    }
  }

  private writeHead(log: AuditLogRef, text: string): void {
    const path = this.headPath(log);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, text, { mode: FILE_MODE });
    renameSync(temp, path);
  }

  append(log: AuditLogRef, plan: (tail: AuditTail) => AuditWrite | undefined | Promise<AuditWrite | undefined>): Promise<boolean> {
    return this.locked(log, async () => {
      const tail = this.tail(log);
      const write = await plan(tail);
      if (!write) return false;
      const fd = openSync(this.store.logPath(log), 'a', FILE_MODE);
      try {
        // One write with O_APPEND; a line torn by a crash before it gets a newline of its own first.
        writeSync(fd, Buffer.from(`${tail.torn ? '\n' : ''}${write.line}\n`));
      } finally {
        closeSync(fd);
      }
      if (write.head !== undefined) this.writeHead(log, write.head);
      return true;
    });
  }

  rewriteHead(log: AuditLogRef, change: (tail: AuditTail) => string | undefined | Promise<string | undefined>): Promise<void> {
    return this.locked(log, async () => {
      const head = await change(this.tail(log));
      if (head !== undefined) this.writeHead(log, head);
    });
  }

  async read(log: AuditLogRef): Promise<{ text: string | undefined; head: string | undefined }> {
    return { text: readIfExists(this.store.logPath(log)), head: readIfExists(this.headPath(log)) };
  }

  async list(): Promise<AuditLogRef[]> {
    const root = this.store.location;
    const logs: AuditLogRef[] = [];
    const storeLog = this.store.logPath(STORE_LOG);
    if ((await this.store.isInitialised()) || existsSync(storeLog) || existsSync(this.headPath(STORE_LOG))) logs.push(STORE_LOG);
    const agents = new Set<string>();
    for (const name of listDir(join(root, 'vaults'))) {
      const agent = /^(.+)\.(?:vault|audit\.jsonl|audit\.head)$/.exec(name)?.[1];
      if (agent !== undefined && isAgentId(agent)) agents.add(agent);
    }
    for (const agent of [...agents].sort()) logs.push(agentLog(agent));
    const retired = new Set<string>();
    for (const name of listDir(join(root, 'retired'))) {
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
      rmSync(this.store.logPath(log), { force: true });
      rmSync(this.headPath(log), { force: true });
    });
  }

  retire(agent: string, at: string): Promise<void> {
    const log = agentLog(agent);
    const retired: AuditLogRef = { kind: 'retired', name: `retired/${agent}.${at.replaceAll(':', '-')}.audit.jsonl`, agent };
    return this.locked(log, async () => {
      for (const [from, to] of [
        [this.store.logPath(log), this.store.logPath(retired)],
        [this.headPath(log), this.headPath(retired)],
      ] as const) {
        if (!existsSync(from)) continue;
        ensurePrivateDir(dirname(to));
        renameSync(from, to);
      }
    });
  }
}
