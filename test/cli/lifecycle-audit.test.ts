/**
 * The agent lifecycle records what happened, only after the owner proved the
 * passphrase and only once the change is made: a refused or blocked `deprovision`,
 * `token rotate` or `provision` leaves no line claiming it happened.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

interface Line {
  actor: string;
  agent: string;
  action: string;
  result: string;
  reason?: string;
}

const records = (path: string): Line[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as Line) : []);

describe('lifecycle audit lines', () => {
  let store: TempStore;
  let wrongPassphrase: string;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent());
    wrongPassphrase = join(store.root, 'wrong');
    writeFileSync(wrongPassphrase, 'not the passphrase\n');
  });
  afterEach(() => store.cleanup());

  const storeLog = () => join(store.dir, 'audit.jsonl');
  const agentLog = () => join(store.dir, 'vaults', 'bot.audit.jsonl');
  const actions = (path: string) => records(path).map((r) => `${r.actor} ${r.agent} ${r.action} ${r.result}`);
  const asWrongOwner = (args: string[]) => store.run(args, { env: { AGENT_VAULT_PASSPHRASE_FILE: wrongPassphrase } });

  it('deprovision with a wrong passphrase is exit 4 and records only the refused proof, as unknown', async () => {
    const before = actions(storeLog());
    const result = await asWrongOwner(['deprovision', 'bot', '--yes']);
    expect(result.code).toBe(4);
    expect(actions(storeLog())).toEqual([...before, 'unknown  auth.denied denied']);
    expect(actions(agentLog())).toEqual(['owner bot agent.provision ok']);
    expect(existsSync(join(store.dir, 'vaults', 'bot.vault'))).toBe(true);
  });

  it('deprovision while another process holds the vault is exit 7 and records nothing', async () => {
    const lock = join(store.dir, 'vaults', 'bot.vault.lock');
    // A live holder on this host: the process that started this test's worker.
    writeFileSync(lock, `${process.ppid} ${(await import('node:os')).hostname()}\n`);
    const before = { store: actions(storeLog()), agent: actions(agentLog()) };
    const result = await store.owner(['deprovision', 'bot', '--yes'], { env: { AGENT_VAULT_LOCK_TIMEOUT: '0.2' } });
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/locked by another agent-vault process/);
    expect({ store: actions(storeLog()), agent: actions(agentLog()) }).toEqual(before);
    expect(existsSync(join(store.dir, 'vaults', 'bot.vault'))).toBe(true);
  });

  it('deprovision records its end once, in the agent log before it is retired and in the store log after', async () => {
    expect((await store.owner(['deprovision', 'bot', '--yes'])).code).toBe(0);
    expect(actions(storeLog()).filter((a) => a.includes('agent.deprovision'))).toEqual(['owner bot agent.deprovision ok']);
    expect(existsSync(agentLog())).toBe(false);
    const listed = JSON.parse((await store.owner(['audit', '--agent', 'bot', '--action', 'agent.deprovision', '--json'])).stdout) as Array<Line & { log: string }>;
    // Two lines of the same millisecond may list in either order.
    expect(listed.map((e) => `${e.actor} ${e.log.startsWith('retired/') ? 'retired' : e.log}`).sort()).toEqual(['owner audit.jsonl', 'owner retired']);
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  });

  it('token rotate and provision with a wrong passphrase are exit 4 and leave no lifecycle line', async () => {
    expect((await asWrongOwner(['token', 'rotate', 'bot'])).code).toBe(4);
    expect((await asWrongOwner(['provision', 'other'])).code).toBe(4);
    expect(actions(agentLog())).toEqual(['owner bot agent.provision ok']);
    expect(actions(storeLog()).filter((a) => !a.includes('auth.denied'))).toEqual(['owner  store.init ok', 'owner bot agent.provision ok']);
    expect(existsSync(join(store.dir, 'vaults', 'other.vault'))).toBe(false);
  });
});

describe('audit verify holds the vaults against the store log', () => {
  let store: TempStore;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent());
    await store.provision('keep');
  });
  afterEach(() => store.cleanup());

  const verify = async () => {
    const result = await store.owner(['audit', 'verify', '--json']);
    return { code: result.code, problems: (JSON.parse(result.stdout) as { logs: Array<{ agent?: string; problems: Array<{ message: string }> }> }).logs.flatMap((l) => l.problems.map((p) => `${l.agent ?? 'store'}: ${p.message}`)) };
  };

  it('reports an agent deleted entirely (vault, backup, log, head, certificate, grants)', async () => {
    for (const name of ['vaults/bot.vault', 'vaults/bot.vault.bak', 'vaults/bot.audit.jsonl', 'vaults/bot.audit.head', 'keys/bot.pub']) rmSync(join(store.dir, name), { force: true });
    const { code, problems } = await verify();
    expect(code).toBe(6);
    expect(problems).toContainEqual(expect.stringMatching(/^bot: agent bot is provisioned \(line \d+ of the store's log\) but its vault is missing: it was deleted$/));
  });

  it('reports a deleted vault even though its log is there, instead of checking the log without keys', async () => {
    rmSync(join(store.dir, 'vaults', 'bot.vault'));
    const { code, problems } = await verify();
    expect(code).toBe(6);
    expect(problems).toContainEqual(expect.stringMatching(/^bot: agent bot is provisioned .* but its vault is missing/));
  });

  it('refuses to provision an agent whose log is there without its vault (exit 6), and writes no line to it', async () => {
    rmSync(join(store.dir, 'vaults', 'bot.vault'));
    rmSync(join(store.dir, 'vaults', 'bot.vault.bak'), { force: true });
    const log = join(store.dir, 'vaults', 'bot.audit.jsonl');
    const before = readFileSync(log, 'utf8');
    const result = await store.owner(['provision', 'bot']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/agent bot has an audit log but no vault: it was deleted/);
    expect(readFileSync(log, 'utf8')).toBe(before);
  });

  it('reports a vault the store log does not record: planted, or restored after deprovisioning', async () => {
    const saved = readFileSync(join(store.dir, 'vaults', 'bot.vault'));
    expect((await store.owner(['deprovision', 'bot', '--yes'])).code).toBe(0);
    writeFileSync(join(store.dir, 'vaults', 'bot.vault'), saved);
    const { code, problems } = await verify();
    expect(code).toBe(6);
    expect(problems).toContainEqual(expect.stringMatching(/^bot: the vault of agent bot is not recorded as provisioned in the store's log/));
  });

  it('passes after provisioning, deprovisioning and provisioning again under the same name', async () => {
    expect((await store.owner(['deprovision', 'bot', '--yes'])).code).toBe(0);
    await store.provision('bot');
    expect(await verify()).toEqual({ code: 0, problems: [] });
  });
});
