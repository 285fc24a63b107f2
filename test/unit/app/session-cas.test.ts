/**
 * A backend without locks (as a database or a bucket with conditional writes would be)
 * still never loses an update: Session.modify re-reads and retries when its
 * compare-and-swap loses, and gives up with exit 7 when it keeps losing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyVisibleAudit } from '../../../src/app/audit.js';
import { listVault, setSecrets } from '../../../src/app/credentials.js';
import { openSession } from '../../../src/app/open-session.js';
import { BusyError } from '../../../src/core/errors.js';
import type { Generation, ObjectId } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { lockTimeoutMs } from '../../../src/store/lock.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

/** The directory store with its locks taken away, and a hook run before each replace. */
class LocklessBackend extends DirectoryBackend {
  beforeReplace: (() => Promise<void>) | undefined;

  override exclusive<T>(_id: ObjectId, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  override async replace(id: ObjectId, bytes: Uint8Array, expected: Generation, options?: { keepPrevious?: boolean }): Promise<Generation> {
    await this.beforeReplace?.();
    return super.replace(id, bytes, expected, options);
  }
}

describe('Session.modify over a backend without locks', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  it('retries a write that lost its compare-and-swap, so both writers keep their change', async () => {
    const lockless = new LocklessBackend(store.dir, lockTimeoutMs({}));
    const racer = await openSession({ store: store.dir, token });
    let raced = false;
    lockless.beforeReplace = async () => {
      if (raced) return;
      raced = true;
      // Another writer gets in between this session's read and its write.
      await setSecrets(racer, 'bot', [['OTHER', 'from the racer']]);
    };
    const session = await openSession({ store: lockless, token });
    await setSecrets(session, 'bot', [['MINE', 'from the session']]);
    expect(raced).toBe(true);
    const keys = (await listVault(await openSession({ store: store.dir, token }), 'bot')).map((c) => c.key);
    expect(keys).toEqual(['MINE', 'OTHER']);
    const audit = await verifyVisibleAudit(await openSession({ store: store.dir, passphrase: PASSPHRASE }));
    expect(audit.flatMap((r) => r.problems)).toEqual([]);
  });

  it('gives up with exit 7 when every attempt loses', async () => {
    const lockless = new LocklessBackend(store.dir, lockTimeoutMs({}));
    const racer = await openSession({ store: store.dir, token });
    let n = 0;
    lockless.beforeReplace = async () => {
      n += 1;
      await setSecrets(racer, 'bot', [[`RACE_${n}`, 'x']]);
    };
    const session = await openSession({ store: lockless, token });
    const error = await setSecrets(session, 'bot', [['MINE', 'v']]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BusyError);
    expect((error as BusyError).exitCode).toBe(7);
    const keys = (await listVault(await openSession({ store: store.dir, token }), 'bot')).map((c) => c.key);
    expect(keys).not.toContain('MINE');
    expect(keys.length).toBe(n);
  });
});
