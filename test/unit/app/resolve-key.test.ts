/**
 * A key the caller's vault lacks is looked for among the grants it received with one
 * listing of them, whether the key is found there or is a miss whose near keys are
 * suggested (the listing is a directory read per grantee, on every such read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredential } from '../../../src/app/credentials.js';
import { openSession } from '../../../src/app/open-session.js';
import { NotFoundError } from '../../../src/core/errors.js';
import type { StorageBackend } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { TempStore } from '../../helpers/in-process.js';

describe('resolving a key through the grants received', () => {
  const store = new TempStore();
  let token: string;

  beforeAll(async () => {
    await store.init();
    token = await store.provision('bot');
    await store.provision('granter');
    expect((await store.owner(['credential', 'set', 'SHARED_KEY=granted-value', '--agent', 'granter'])).code).toBe(0);
    expect((await store.owner(['grant', 'SHARED_KEY', '--to', 'bot', '--agent', 'granter'])).code).toBe(0);
  });
  afterAll(() => store.cleanup());

  /** A session of bot's token over a backend that counts the listings of grants. */
  async function counted(): Promise<{ read: (key: string) => Promise<unknown>; listings: () => number }> {
    const inner = new DirectoryBackend(store.dir, 2000);
    let listings = 0;
    const backend = new Proxy(inner, {
      get: (o, n, r) => {
        if (n !== 'list') return Reflect.get(o, n, r);
        return async (prefix: string) => {
          if (prefix.startsWith('grants/')) listings += 1;
          return o.list(prefix as Parameters<StorageBackend['list']>[0]);
        };
      },
    });
    const session = await openSession({ store: backend, token });
    return { read: (key) => readCredential(session, 'bot', key), listings: () => listings };
  }

  it('reads a granted key with one listing', async () => {
    const { read, listings } = await counted();
    await expect(read('SHARED_KEY')).resolves.toMatchObject({ key: 'SHARED_KEY', grantedBy: 'granter' });
    expect(listings()).toBe(1);
  });

  it('reports a miss, suggesting the granted near key, with one listing', async () => {
    const { read, listings } = await counted();
    const error = await read('SHARED_KEX').then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).hint).toContain('SHARED_KEY');
    expect(listings()).toBe(1);
  });
});
