/**
 * Audit appends from many processes at once. Spawned: the lock and the temporary files
 * of an append carry the process id, so concurrent runs inside one process would not
 * be concurrent processes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

function records(path: string): Array<{ seq: number; action: string }> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as { seq: number; action: string });
}

describe('what the audit log records', () => {
  let store: TempStore;
  let token1: string;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    token1 = await store.provision('bot1');
  });
  afterEach(() => store.cleanup());

  const agentLog = (agent: string) => join(store.dir, 'vaults', `${agent}.audit.jsonl`);

  it('lets 16 concurrent readers append without breaking the chain', async () => {
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'v\n' })).code).toBe(0);
    const results = await Promise.all(Array.from({ length: 16 }, () => store.agent(token1, ['credential', 'get', 'API_KEY'])));
    expect(results.map((r) => r.code)).toEqual(Array(16).fill(0));
    const lines = records(agentLog('bot1'));
    expect(lines.map((r) => r.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(lines.filter((r) => r.action === 'credential.get')).toHaveLength(16);
    expect((await store.agent(token1, ['audit', 'verify'])).code).toBe(0);
  });
});
