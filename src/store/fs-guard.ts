/**
 * What the directory store accepts at a path before it reads or writes there. Anyone
 * who can write into the store (another process of the same user, an agent given the
 * directory) can plant a symbolic link, a FIFO, a directory or a loose mode at any of
 * its names; the store must then neither act outside itself nor hang, but refuse with
 * exit 6 naming the path.
 *
 * - Type: below the store root, only regular files and directories, each where it is
 *   expected; never a link (checked with lstat, and opened with `O_NOFOLLOW` so a link
 *   swapped in after the check fails too), never a FIFO, socket or device (refused
 *   before opening; `O_NONBLOCK` covers one swapped in after the check). The root
 *   itself is the user's choice and may be a link.
 * - Owner: the user running the tool.
 * - Mode: nothing writable by group or others (refused, with a chmod hint: the
 *   content may already have been replaced, so it is for the user to look first);
 *   anything else that is not exactly 0600 or 0700 (readable by others, or left
 *   read-only by a umask) is set back to it.
 * - Links: a file appended to, or whose mode is changed, has no other name, so that a
 *   hard link to a file outside the store is neither written nor chmodded.
 *
 * A check and the use after it are two system calls, so a process racing between them
 * is not excluded for directories (Node has no openat); it is excluded for the file
 * opened last, by `O_NOFOLLOW`.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { IntegrityError } from '../core/errors.js';
import { chmodDir, createFile, DIR_MODE, fchmod, FILE_MODE, fsyncDir, makeDir, makeParents, openAppend } from './fs-ops.js';

const { O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = constants;

/** What a store path must be. */
export type Expected = 'file' | 'directory';

/** What a caller calls the file at a path, for messages. */
export interface FileRole {
  /** With its article: `a vault file`, `an audit log`. */
  name: string;
  /** What the user can do about a file of this role that is damaged or missing. */
  hint?: string;
}

const FILE: FileRole = { name: 'a regular file' };

function typeName(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFile()) return 'a regular file';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}

function lstatIfExists(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

const euid = (): number | undefined => process.geteuid?.();

function refuse(path: string, expected: string, found: string, hint?: string): never {
  throw new IntegrityError(
    `${path} is not ${expected}: it is ${found}`,
    hint ?? 'agent-vault keeps only regular files and directories in a store and follows no link: move it away and restore what belongs there from a backup',
  );
}

function refuseType(path: string, stat: Stats, expected: string, hint?: string): never {
  refuse(path, expected, typeName(stat), hint);
}

/**
 * Checks the owner and mode of a store file or directory whose type is right, and
 * returns the mode to set it to, if it must be tightened (or repaired after a umask).
 */
function checkPermissions(path: string, stat: Stats, expected: Expected): number | undefined {
  const uid = euid();
  if (uid !== undefined && stat.uid !== uid) {
    throw new IntegrityError(`${path} belongs to uid ${stat.uid}, not to you (uid ${uid})`, 'a store is used only by the user who owns it: check who changed its owner');
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o022) !== 0) {
    const wanted = expected === 'directory' ? '700' : '600';
    throw new IntegrityError(
      `${path} is writable by its group or others (mode ${mode.toString(8).padStart(4, '0')})`,
      `whoever could write there could have replaced what it holds: check it, then run: chmod ${wanted} ${path}`,
    );
  }
  const wanted = expected === 'directory' ? DIR_MODE : FILE_MODE;
  return mode === wanted ? undefined : wanted;
}

function refuseLinked(path: string, stat: Stats): never {
  throw new IntegrityError(`${path} has ${stat.nlink} hard links`, 'a store file has no other name: remove the other links (or restore the file from a backup)');
}

/** A store file opened for reading, checked, and its stat. */
export interface OpenedFile {
  fd: number;
  stat: Stats;
}

/**
 * Opens the store file `path` for reading, after checking its type, owner and mode
 * (tightening a mode that is merely loose); undefined when it does not exist. With
 * `permissions: false` only its type is checked: for lock files, which other
 * processes create and remove under our feet.
 */
export function openStoreFile(path: string, role: FileRole = FILE, options: { permissions?: boolean } = {}): OpenedFile | undefined {
  const before = lstatIfExists(path);
  if (!before) return undefined;
  if (!before.isFile()) refuseType(path, before, role.name, role.hint);
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // Replaced by a link between the lstat and the open.
    if (code === 'ELOOP') refuse(path, role.name, 'a symbolic link', role.hint);
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) refuseType(path, stat, role.name, role.hint);
    if (options.permissions !== false) {
      const tighten = checkPermissions(path, stat, 'file');
      if (tighten !== undefined) {
        if (stat.nlink > 1) refuseLinked(path, stat);
        fchmod(fd, path, tighten);
      }
    }
    return { fd, stat };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The bytes of the store file `path`, checked as {@link openStoreFile} does; undefined when it does not exist. */
export function readStoreFile(path: string, role?: FileRole, options?: { permissions?: boolean }): Buffer | undefined {
  const opened = openStoreFile(path, role, options);
  if (!opened) return undefined;
  try {
    return readFileSync(opened.fd);
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Opens the store file `path` to append to it, creating it (0600) if it does not
 * exist. An existing one must be a regular file of ours with no other name, so an
 * append never lands outside the store; `created` says whether this call made it,
 * for the caller to flush the directory.
 */
export function openStoreFileToAppend(path: string, role: FileRole = FILE): { fd: number; created: boolean } {
  const before = lstatIfExists(path);
  if (!before) return { fd: createFile(path, { append: true }), created: true };
  if (!before.isFile()) refuseType(path, before, role.name, role.hint);
  let fd: number;
  try {
    fd = openAppend(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') refuse(path, role.name, 'a symbolic link', role.hint);
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) refuseType(path, stat, role.name, role.hint);
    const tighten = checkPermissions(path, stat, 'file');
    if (stat.nlink > 1) refuseLinked(path, stat);
    if (tighten !== undefined) fchmod(fd, path, tighten);
    return { fd, created: false };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Refuses anything but a regular file (or nothing) at `path`, which is about to be
 * replaced by a rename or removed: a directory there would fail the rename, and
 * anything else there was planted. Whether something was there.
 */
export function checkReplaceable(path: string, role: FileRole = FILE): boolean {
  const stat = lstatIfExists(path);
  if (stat && !stat.isFile()) refuseType(path, stat, role.name, role.hint);
  return stat !== undefined;
}

/** Whether anything (of any type) has the name `path`. */
export function nameExists(path: string): boolean {
  return lstatIfExists(path) !== undefined;
}

/** The directories of one store, checked from its root down before each use. */
export class StoreTree {
  constructor(readonly root: string) {}

  /** The directories from the root down to `dir`, root first; `dir` must be the root or below it. */
  private chain(dir: string): string[] {
    const rel = relative(this.root, dir);
    if (rel === '') return [this.root];
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`${dir} is not inside the store ${this.root}`);
    const parts = rel.split(sep);
    return [this.root, ...parts.map((_, i) => join(this.root, ...parts.slice(0, i + 1)))];
  }

  /** Checks the store root (followed if a link, as the user may have made it one); false if it does not exist. */
  private checkRoot(): boolean {
    let stat: Stats;
    try {
      stat = statSync(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    if (!stat.isDirectory()) refuseType(this.root, stat, 'a directory', 'point --store or AGENT_VAULT_HOME at a store directory');
    const tighten = checkPermissions(this.root, stat, 'directory');
    if (tighten !== undefined) chmodDir(this.root, tighten, { follow: true });
    return true;
  }

  private checkDir(path: string): boolean {
    const stat = lstatIfExists(path);
    if (!stat) return false;
    if (!stat.isDirectory()) refuseType(path, stat, 'a directory');
    const tighten = checkPermissions(path, stat, 'directory');
    if (tighten !== undefined) chmodDir(path, tighten, { follow: false });
    return true;
  }

  /**
   * Checks every directory from the root down to `dir`: each a directory of ours,
   * not writable by others (tightened if merely readable by them). False when one of
   * them does not exist.
   */
  checkDirs(dir: string): boolean {
    if (!this.checkRoot()) return false;
    for (const path of this.chain(dir).slice(1)) if (!this.checkDir(path)) return false;
    return true;
  }

  /**
   * Checks the directories from the root down to `dir` as {@link checkDirs} does,
   * creating the missing ones below the root (0700, each made durable in its parent).
   * The root must exist: see {@link makeRoot}.
   */
  makeDirs(dir: string): void {
    if (!this.checkRoot()) throw new IntegrityError(`${this.root} does not exist`, 'the store directory was removed: restore it from a backup');
    let parent = this.root;
    for (const path of this.chain(dir).slice(1)) {
      if (!this.checkDir(path)) this.makeDirIn(parent, path);
      parent = path;
    }
  }

  /** Creates the store root (and the directories above it) unless it exists, then checks it. */
  makeRoot(): void {
    if (this.checkRoot()) return;
    const parent = dirname(this.root);
    makeParents(parent);
    this.makeDirIn(parent, this.root);
  }

  private makeDirIn(parent: string, path: string): void {
    try {
      makeDir(path);
    } catch (err) {
      // Another process made it first: then it is checked like any existing one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (path === this.root ? this.checkRoot() : this.checkDir(path)) return;
      throw err;
    }
    fsyncDir(parent);
  }
}
