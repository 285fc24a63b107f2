/**
 * Grant files on disk: `<store>/grants/<grantee>/<granter>.<KEY>.grant`, 0600 in 0700
 * directories, each replaced atomically. Agent ids and keys contain no dot, so a file
 * name splits back into its granter and key unambiguously.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { IntegrityError } from '../core/errors.js';
import { isAgentId, isCredentialKey } from '../core/ids.js';
import { ensurePrivateDir, replaceFile } from './atomic.js';
import type { StorePaths } from './paths.js';

/** Where one grant lives: who gave it, to whom, for which key. */
export interface GrantLocation {
  granter: string;
  grantee: string;
  key: string;
}

function readDirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function parseName(grantee: string, name: string): GrantLocation | undefined {
  const match = /^([^.]+)\.([^.]+)\.grant$/.exec(name);
  if (!match || !isAgentId(match[1]!) || !isCredentialKey(match[2]!)) return undefined;
  return { granter: match[1]!, grantee, key: match[2]! };
}

/** The grant files of one store. */
export class GrantFiles {
  constructor(private readonly paths: StorePaths) {}

  /** Writes (or replaces) a sealed grant. Call under the granter's vault lock. */
  write(at: GrantLocation, bytes: Buffer): void {
    ensurePrivateDir(this.paths.grantsDir);
    ensurePrivateDir(this.paths.receivedGrantsDir(at.grantee));
    replaceFile(this.paths.grantFile(at.grantee, at.granter, at.key), bytes, { backup: false });
  }

  /** The sealed grant, or `undefined` when there is none. */
  read(at: GrantLocation): Buffer | undefined {
    const path = this.paths.grantFile(at.grantee, at.granter, at.key);
    try {
      return readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      // Something other than a file where a grant belongs is a tampered store.
      if (code === 'EISDIR') throw new IntegrityError(`${path} is not a grant file`, 'remove it; the grant can be made again');
      throw err;
    }
  }

  /** Removes a grant file; returns whether there was one. */
  remove(at: GrantLocation): boolean {
    const path = this.paths.grantFile(at.grantee, at.granter, at.key);
    const existed = this.read(at) !== undefined;
    rmSync(path, { force: true });
    return existed;
  }

  /** The grants addressed to `grantee`, optionally only those from `granter`. */
  received(grantee: string, granter?: string): GrantLocation[] {
    return readDirOrEmpty(this.paths.receivedGrantsDir(grantee))
      .map((name) => parseName(grantee, name))
      .filter((g): g is GrantLocation => g !== undefined && (granter === undefined || g.granter === granter))
      .sort((a, b) => (`${a.granter}.${a.key}` < `${b.granter}.${b.key}` ? -1 : 1));
  }

  /** Every grant file in the store. */
  all(): GrantLocation[] {
    return readDirOrEmpty(this.paths.grantsDir)
      .filter(isAgentId)
      .flatMap((grantee) => this.received(grantee));
  }

  /** Removes every grant file given by or addressed to `agent` (deprovisioning, rotation). */
  removeInvolving(agent: string, options: { given: boolean; received: boolean }): void {
    for (const grant of this.all()) {
      if ((options.given && grant.granter === agent) || (options.received && grant.grantee === agent)) this.remove(grant);
    }
    if (options.received) rmSync(this.paths.receivedGrantsDir(agent), { recursive: true, force: true });
  }
}
