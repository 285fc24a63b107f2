/**
 * The recorder writes the events of one operation (one per key of a bulk write) as one
 * append to one log: the same lines, in the keys' order, chained, whatever the outcome.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyVisibleAudit } from '../../../src/app/audit.js';
import { setSecrets } from '../../../src/app/credentials.js';
import { openSession } from '../../../src/app/open-session.js';
import { parseAuditLine } from '../../../src/format/audit-line.js';
import type { AuditStorage } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { lockTimeoutMs } from '../../../src/store/lock.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

/** A directory backend whose audit appends are counted, by log. */
function countingBackend(dir: string): { backend: DirectoryBackend; appends: string[] } {
  const backend = new DirectoryBackend(dir, lockTimeoutMs({}));
  const inner = backend.audit;
  const appends: string[] = [];
  const counted = new Proxy(inner, {
    get(target, name) {
      if (name === 'append') {
        return (...args: Parameters<AuditStorage['append']>) => {
          appends.push(args[0].name);
          return target.append(...args);
        };
      }
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  Object.defineProperty(backend, 'audit', { value: counted });
  return { backend, appends };
}

describe('AuditRecorder: one operation, one append', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  const lines = () =>
    readFileSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => parseAuditLine(l));

  it('appends the lines of a set of three keys at once, one per key in order, chained', async () => {
    const { backend, appends } = countingBackend(store.dir);
    const before = lines().length;
    await setSecrets(await openSession({ store: backend, token }), 'bot', [['C_KEY', '1'], ['A_KEY', '2'], ['B_KEY', '3']]);
    expect(appends).toEqual(['vaults/bot.audit.jsonl']);
    const added = lines().slice(before);
    expect(added.map((r) => [r.action, r.key, r.result, r.seq])).toEqual([
      ['credential.set', 'C_KEY', 'ok', before + 1],
      ['credential.set', 'A_KEY', 'ok', before + 2],
      ['credential.set', 'B_KEY', 'ok', before + 3],
    ]);
    const audit = await verifyVisibleAudit(await openSession({ store: store.dir, passphrase: PASSPHRASE }));
    expect(audit.flatMap((r) => r.problems)).toEqual([]);
  });

  it('records nothing for a bulk set of no keys', async () => {
    const { backend, appends } = countingBackend(store.dir);
    const before = readFileSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 'utf8');
    await setSecrets(await openSession({ store: backend, token }), 'bot', []);
    expect(appends).toEqual([]);
    expect(readFileSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 'utf8')).toBe(before);
  });

  it('appends the error lines of a failed bulk write at once too', async () => {
    const { backend, appends } = countingBackend(store.dir);
    const before = lines().length;
    await expect(setSecrets(await openSession({ store: backend, token }), 'bot', [['GOOD', '1'], ['lower', '2']])).rejects.toThrow(/lower/);
    expect(appends).toEqual(['vaults/bot.audit.jsonl']);
    expect(lines().slice(before).map((r) => [r.key, r.result])).toEqual([
      ['GOOD', 'error'],
      ['lower', 'error'],
    ]);
  });
});
