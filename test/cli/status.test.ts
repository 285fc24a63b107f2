import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

describe('status', () => {
  let store: TempStore;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  it('needs no proof: a malformed token in the environment does not stop it', async () => {
    const result = await store.run(['status', 'bot', '--json'], { env: { AGENT_VAULT_TOKEN: 'avt_not-a-token' } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ agent: 'bot', provisioned: true });
  });

  it('shows the time of the last write by the clock', async () => {
    store.clock.set('2031-05-01T00:00:00.000Z');
    expect((await store.owner(['credential', 'set', 'K=v', '-a', 'bot'])).code).toBe(0);
    const status = async () => JSON.parse((await store.owner(['status', 'bot', '--json'])).stdout) as { created: string; updated: string; credential_count: number };
    const first = await status();
    expect(first).toMatchObject({ updated: expect.stringMatching(/^2031-05-01T00:0/), credential_count: 1 });
    expect(first.created < '2031').toBe(true);
    store.clock.advance(24 * 3_600_000);
    expect((await store.owner(['credential', 'set', 'L=v', '-a', 'bot'])).code).toBe(0);
    expect(await status()).toMatchObject({ created: first.created, updated: expect.stringMatching(/^2031-05-02T00:0/), credential_count: 2 });
  });

  it('shows a damaged vault in its row and names its file, without failing the other rows', async () => {
    await store.provision('other');
    const path = join(store.dir, 'vaults', 'bot.vault');
    writeFileSync(path, 'a');
    const result = await store.run(['status', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { agent: 'bot', provisioned: true, damaged: true },
      expect.objectContaining({ agent: 'other', provisioned: true }),
    ]);
    expect(JSON.parse(result.stderr.trim()).warning).toContain(path);
    expect(result.stderr).not.toContain('    at ');
  });
});
