import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyVisibleAudit } from '../../../src/app/audit.js';
import { rotateToken } from '../../../src/app/agents.js';
import { openSession } from '../../../src/app/open-session.js';
import { PASSPHRASE, TempStore } from '../../helpers/cli.js';

interface Line {
  actor: string;
  agent: string;
  action: string;
  key?: string;
  reason?: string;
  epoch?: number;
  mac?: string;
}

const records = (path: string): Line[] => readFileSync(path, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as Line);

describe('an audit key superseded by token rotate while a session holds it', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent('bot1'));
  });
  afterEach(() => store.cleanup());

  const owner = () => openSession({ store: store.dir, passphrase: PASSPHRASE });
  const agentLog = () => join(store.dir, 'vaults', 'bot1.audit.jsonl');
  const storeLog = () => join(store.dir, 'audit.jsonl');
  const rotate = async () => {
    const session = await owner();
    await rotateToken(session, 'bot1');
  };
  const problems = async () => (await verifyVisibleAudit(await owner())).flatMap((r) => r.problems);

  it('sends the line of an agent whose token was rotated to the store log, unkeyed, and verify stays ok', async () => {
    const agent = await openSession({ store: store.dir, token });
    await agent.unlock('bot1');
    await rotate();
    await agent.audit.record('bot1', { action: 'totp.generate', key: 'GH' });
    await agent.audit.record('bot1', { action: 'credential.get', key: 'API_KEY', result: 'not_found', reason: 'no such key' });
    expect(records(agentLog()).map((r) => [r.action, r.epoch])).toEqual([
      ['agent.provision', 0],
      ['token.rotate', 1],
    ]);
    const note = 'written by a holder of a superseded audit key of the log of agent bot1: its token was rotated';
    expect(records(storeLog()).slice(-2).map(({ actor, agent, action, key, reason, mac }) => ({ actor, agent, action, key, reason, mac }))).toEqual([
      { actor: 'agent:bot1', agent: 'bot1', action: 'totp.generate', key: 'GH', reason: note, mac: undefined },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'API_KEY', reason: `no such key; ${note}`, mac: undefined },
    ]);
    expect(await problems()).toEqual([]);
  });

  it('re-opens the vault for the newer key when the session can (the owner)', async () => {
    const session = await owner();
    await session.unlock('bot1');
    await rotate();
    await session.audit.record('bot1', { action: 'credential.list' });
    expect(records(agentLog()).map((r) => [r.action, r.epoch])).toEqual([
      ['agent.provision', 0],
      ['token.rotate', 1],
      ['credential.list', 1],
    ]);
    expect(await problems()).toEqual([]);
  });
});
