import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

describe('a first session', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
  });
  afterEach(() => store.cleanup());

  it('provisions an agent, stores a value and reads it back with the owner passphrase and the token', async () => {
    const token = await store.provision('bot1');
    expect(token).toMatch(/^avt_bot1_[A-Za-z0-9_-]{43}$/);
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 's3cret value\n' })).code).toBe(0);
    const asOwner = await store.owner(['credential', 'get', 'API_KEY', '--agent', 'bot1']);
    expect(asOwner).toMatchObject({ code: 0, stdout: 's3cret value\n', stderr: '' });
    const asAgent = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(asAgent).toMatchObject({ code: 0, stdout: 's3cret value\n', stderr: '' });
  });
});
