/** The programmatic API's lifecycle calls: history, restore, rotate and due, as an agent. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVault } from '../../../src/index.js';
import { UsageError } from '../../../src/core/errors.js';
import { TempStore } from '../../helpers/in-process.js';

describe('openVault lifecycle calls', () => {
  let store: TempStore;
  let token: string;

  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
    expect((await store.owner(['credential', 'add', 'DB', '--value-stdin', '--rotate-every', '1s', '--agent', 'bot'], { input: 'first' })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('rotates, lists the versions, restores one and reports what is due', async () => {
    const vault = openVault({ store: store.dir, token, env: {} });
    await vault.rotate('DB', 'second');
    expect(await vault.get('DB')).toBe('second');
    expect((await vault.history('DB')).map((v) => [v.version, v.values.value, v.actor])).toEqual([
      [2, 'second', 'agent:bot'],
      [1, 'first', 'owner'],
    ]);
    await vault.restore('DB', 1);
    expect(await vault.get('DB')).toBe('first');
    expect((await vault.due(60_000)).map((r) => [r.agent, r.key, r.reason])).toEqual([['bot', 'DB', 'rotation']]);
    await expect(vault.rotate('DB', '')).rejects.toThrow(UsageError);
  });
});
