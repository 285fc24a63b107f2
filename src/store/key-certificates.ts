/**
 * Agent key certificates on disk: `<store>/keys/<agent>.pub`, 0600 in a 0700 directory,
 * replaced atomically. Only the owner writes them (at provisioning and token rotation)
 * and removes them (at deprovisioning); anyone may read them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { ensurePrivateDir, replaceFile } from './atomic.js';
import type { StorePaths } from './paths.js';

/** The key certificates of one store. */
export class KeyCertificates {
  constructor(private readonly paths: StorePaths) {}

  /** Writes (or replaces) `agent`'s certificate. Call under the agent's vault lock. */
  write(agent: string, bytes: Buffer): void {
    ensurePrivateDir(this.paths.keysDir);
    replaceFile(this.paths.keyCertificate(agent), bytes, { backup: false });
  }

  /** The certificate's bytes, or `undefined` when there is none. */
  read(agent: string): Buffer | undefined {
    try {
      return readFileSync(this.paths.keyCertificate(agent));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Removes `agent`'s certificate, if any. */
  remove(agent: string): void {
    rmSync(this.paths.keyCertificate(agent), { force: true });
  }
}
