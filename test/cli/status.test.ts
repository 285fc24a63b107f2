import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

describe('status', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    await store.provision('bot');
  });
  afterEach(() => store.cleanup());

  it('needs no proof: a malformed token in the environment does not stop it', async () => {
    const result = await store.run(['status', 'bot', '--json'], { env: { AGENT_VAULT_TOKEN: 'avt_not-a-token' } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ agent: 'bot', provisioned: true });
  });

  it('names the damaged vault file (exit 6)', async () => {
    const path = join(store.dir, 'vaults', 'bot.vault');
    writeFileSync(path, 'a');
    const result = await store.run(['status']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(path);
    expect(result.stderr).not.toContain('    at ');
  });
});
