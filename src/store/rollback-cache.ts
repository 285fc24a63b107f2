/**
 * What this client has seen of a remote store, to notice the store going back: the
 * highest generation of each object and the newest (incarnation, length) of each audit
 * log. A database restored from an old dump, or one row put back as it was, serves
 * bytes that still decrypt and MACs that still verify; only a memory of something newer
 * gives it away. A directory store cannot be checked this way (a file's generation is
 * its inode and time, which a copy changes anyway).
 *
 * One file per store, `$XDG_CACHE_HOME/agent-vault/rollback/<hash of the URL>.json`
 * (`~/.cache` by default), 0600 in a 0700 directory. It holds ids and numbers only:
 * nothing secret. Each update merges with the file as it is now (the highest wins) and
 * renames a temp file into place, and what a transaction wrote is noted only once it
 * committed (the caller's `later`), so processes of one user sharing it lose nothing
 * that matters: a lost update only forgets something, never invents a going-back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createFile, makeParents, removeFile, rename, writeAll } from './fs-ops.js';
import { readStoreFile } from './fs-guard.js';

/** An audit log as last seen: its incarnation (a discard or retire makes a new one) and its number of lines. */
export interface SeenLog {
  generation: number;
  seq: number;
}

interface CacheFile {
  location: string;
  objects: Record<string, number>;
  logs: Record<string, SeenLog>;
}

/** A going-back found: what was seen before, and what the store serves now. */
export interface GoingBack {
  what: string;
  seen: string;
  found: string;
}

/** The cache of one store. */
export class RollbackCache {
  readonly file: string;
  private state: CacheFile | undefined;

  constructor(
    private readonly location: string,
    env: NodeJS.ProcessEnv,
  ) {
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
    const name = createHash('sha256').update(location).digest('hex').slice(0, 32);
    this.file = join(base, 'agent-vault', 'rollback', `${name}.json`);
  }

  private load(): CacheFile {
    if (this.state) return this.state;
    this.state = this.readFile();
    return this.state;
  }

  private readFile(): CacheFile {
    try {
      // Through the store's checks, as its writes go: no link followed, no FIFO waited on.
      const bytes = readStoreFile(this.file);
      if (bytes === undefined) return { location: this.location, objects: {}, logs: {} };
      const parsed = JSON.parse(bytes.toString('utf8')) as Partial<CacheFile>;
      if (parsed.location === this.location && typeof parsed.objects === 'object' && typeof parsed.logs === 'object') {
        return { location: this.location, objects: { ...parsed.objects }, logs: { ...parsed.logs } };
      }
    } catch {
      // Missing or unreadable: nothing seen yet. A damaged cache only forgets.
    }
    return { location: this.location, objects: {}, logs: {} };
  }

  /** Notes an object's generation; a lower one than seen before is returned as a going-back. */
  object(id: string, generation: number, later: (save: () => void) => void = (save) => save()): GoingBack | undefined {
    const seen = this.load().objects[id];
    if (seen !== undefined && generation < seen) return { what: id, seen: `generation ${seen}`, found: `generation ${generation}` };
    if (seen === undefined || generation > seen) {
      later(() =>
        this.save((file) => {
          file.objects[id] = Math.max(file.objects[id] ?? 0, generation);
        }),
      );
    }
    return undefined;
  }

  /** Notes a log's incarnation and length; an older incarnation, or fewer lines of the same one, is a going-back. */
  log(name: string, now: SeenLog, later: (save: () => void) => void = (save) => save()): GoingBack | undefined {
    const seen = this.load().logs[name];
    if (seen !== undefined && (now.generation < seen.generation || (now.generation === seen.generation && now.seq < seen.seq))) {
      return { what: `the audit log ${name}`, seen: `${seen.seq} lines (incarnation ${seen.generation})`, found: `${now.seq} lines (incarnation ${now.generation})` };
    }
    if (seen === undefined || now.generation !== seen.generation || now.seq !== seen.seq) {
      later(() =>
        this.save((file) => {
          const old = file.logs[name];
          if (!old || now.generation > old.generation || (now.generation === old.generation && now.seq > old.seq)) file.logs[name] = now;
        }),
      );
    }
    return undefined;
  }

  /** Merges a change into the file as it is on disk now and writes it whole. A cache that cannot be written only stops remembering. */
  private save(change: (file: CacheFile) => void): void {
    change(this.load());
    const merged = this.readFile();
    for (const [id, generation] of Object.entries(this.state!.objects)) merged.objects[id] = Math.max(merged.objects[id] ?? 0, generation);
    for (const [name, log] of Object.entries(this.state!.logs)) {
      const old = merged.logs[name];
      if (!old || log.generation > old.generation || (log.generation === old.generation && log.seq > old.seq)) merged.logs[name] = log;
    }
    this.state = merged;
    const dir = join(this.file, '..');
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    // Through fs-ops.ts like every write of the store layer: 0600, O_EXCL, no link followed.
    try {
      makeParents(dir);
      const fd = createFile(temp);
      try {
        writeAll(fd, temp, Buffer.from(JSON.stringify(merged)));
      } finally {
        closeSync(fd);
      }
      rename(temp, this.file);
    } catch {
      try {
        removeFile(temp);
      } catch {
        // Never made.
      }
    }
  }
}
