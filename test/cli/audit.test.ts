import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore } from '../helpers/in-process.js';

interface Line {
  seq: number;
  actor: string;
  agent: string;
  action: string;
  key?: string;
  result: string;
  reason?: string;
  mac?: string;
  epoch?: number;
  prev: string;
}

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

function records(path: string): Line[] {
  return readLines(path).map((l) => JSON.parse(l) as Line);
}

function writeLines(path: string, lines: string[]): void {
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

/** Every file under `dir`, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('audit verify catches tampering', () => {
  let store: TempStore;
  let log: string;
  let original: string[];
  beforeAll(async () => {
    store = new TempStore();
    await store.init();
    const token = await store.provision('bot1');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'v1\n' })).code).toBe(0);
    for (let i = 0; i < 4; i += 1) expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(0);
    log = join(store.dir, 'vaults', 'bot1.audit.jsonl');
    original = readLines(log);
    expect(original).toHaveLength(6);
  });
  afterAll(() => store.cleanup());
  afterEach(() => writeLines(log, original));

  const verify = () => store.owner(['audit', 'verify']);

  it('accepts the untouched log with a one-line summary', async () => {
    const result = await verify();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 2 audit log\(s\), 8 line\(s\) intact\n$/);
  });

  it.each([
    ['one field of one line edited', (l: string[]) => l.map((x, i) => (i === 2 ? x.replace('"API_KEY"', '"OTHER_KEY"') : x)), 3],
    ['a line deleted', (l: string[]) => l.filter((_, i) => i !== 2), 3],
    ['two lines swapped', (l: string[]) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)], 2],
    ['a forged line inserted', (l: string[]) => [...l.slice(0, 3), l[3]!.replace(/"mac":"[^"]+"/, `"mac":"${'B'.repeat(43)}"`), ...l.slice(3)], 4],
  ])('exits 6 on %s, naming the file and line', async (_name, tamper, line) => {
    writeLines(log, tamper(original));
    const result = await verify();
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${log} line ${line}:`);
    writeLines(log, original);
    expect((await verify()).code).toBe(0);
  });

  it('exits 6 when the last two lines are cut off, and 0 once they are restored', async () => {
    writeLines(log, original.slice(0, -2));
    const result = await verify();
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/bot1\.audit\.jsonl: the log ends at seq 4 but its head records seq 6: lines were cut off the end/);
    writeLines(log, original);
    expect((await verify()).code).toBe(0);
  });

  it('prints every log, its head and problems with --json', async () => {
    const ok = await store.owner(['audit', 'verify', '--json']);
    const report = JSON.parse(ok.stdout) as { ok: boolean; logs: Array<{ file: string; head: { seq: number; hash: string }; last: { seq: number; hash: string }; problems: unknown[] }> };
    expect(report.ok).toBe(true);
    const bot1 = report.logs.find((l) => l.file === log)!;
    expect(bot1.head).toMatchObject({ seq: 6, hash: bot1.last.hash, keyed: { seq: 6, epoch: 0 } });
    writeLines(log, original.slice(1));
    const bad = await store.owner(['audit', 'verify', '--json']);
    expect(bad.code).toBe(6);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false });
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: 'integrity', exit: 6 } });
  });
});

describe('audit verify catches deleted logs', () => {
  let store: TempStore;
  let token: string;
  let saved: Map<string, Buffer>;
  const path = (name: string) => join(store.dir, name);
  const bot1Log = 'vaults/bot1.audit.jsonl';
  const bot1Head = 'vaults/bot1.audit.head';
  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent('bot1'));
    await store.provision('gone');
    expect((await store.owner(['deprovision', 'gone', '--yes'])).code).toBe(0);
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
    saved = new Map(allFiles(store.dir).filter((f) => /audit\.(jsonl|head)$/.test(f)).map((f) => [f, readFileSync(f)]));
    expect(saved.size).toBe(6);
  });
  afterAll(() => store.cleanup());
  afterEach(() => {
    for (const [file, bytes] of saved) writeFileSync(file, bytes);
  });

  const retired = (ext: string) => allFiles(join(store.dir, 'retired')).find((f) => f.endsWith(ext))!;

  it('accepts the untouched store', async () => {
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  });

  it.each([
    ['an agent log and its head', [bot1Log, bot1Head], `audit log PATH(${bot1Log}): the log file is missing, though it must begin with agent.provision: it was deleted`],
    ['the store log and its head', ['audit.jsonl', 'audit.head'], `audit log PATH(audit.jsonl): the log file is missing, though it must begin with store.init: it was deleted`],
    ['an agent log only', [bot1Log], `audit log PATH(${bot1Log}): the log file is missing, though it must begin with agent.provision`],
    ['an agent head only', [bot1Head], `audit log PATH(${bot1Log}): its head file is missing`],
    ['the store head only', ['audit.head'], `audit log PATH(audit.jsonl): its head file is missing`],
  ])('exits 6 when %s are deleted, naming the file', async (_name, deleted, message) => {
    for (const name of deleted) rmSync(path(name));
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(message.replace(/PATH\(([^)]+)\)/, (_m, name: string) => path(name)));
  });

  it('exits 6 when a retired log is deleted and its head left', async () => {
    const log = retired('.audit.jsonl');
    rmSync(log);
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${log}: the log file is missing but its head file is there: the log was deleted`);
  });

  it('exits 6 when an agent log and head are deleted and a later read begins a new log', async () => {
    rmSync(path(bot1Log));
    rmSync(path(bot1Head));
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
    expect(records(path(bot1Log)).map((r) => r.seq)).toEqual([1]);
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${path(bot1Log)} line 1: the log begins with a credential.list line, not a keyed agent.provision: it was deleted and begun again`);
  });

  it('exits 6 when the store log is replaced by one a caller who proved nothing began', async () => {
    rmSync(path('audit.jsonl'));
    rmSync(path('audit.head'));
    expect((await store.agent(`avt_bot1_${'A'.repeat(43)}`, ['credential', 'list'])).code).toBe(4);
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${path('audit.jsonl')} line 1: the log begins with an unkeyed auth.denied line, not a keyed store.init`);
  });

  it('exits 6 when an agent verifies its own deleted log', async () => {
    rmSync(path(bot1Log));
    rmSync(path(bot1Head));
    const result = await store.agent(token, ['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${path(bot1Log)}: the log file is missing`);
  });
});

describe('what the audit log records', () => {
  let store: TempStore;
  let token1: string;
  let token2: string;
  const secrets = ['first-secret-value', 'second-secret-value', 'a note about s3cr3t things'];
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    token1 = await store.provision('bot1');
    token2 = await store.provision('bot2');
  });
  afterEach(() => store.cleanup());

  const agentLog = (agent: string) => join(store.dir, 'vaults', `${agent}.audit.jsonl`);
  const storeLog = () => join(store.dir, 'audit.jsonl');

  it('records reads, reveals, writes and denials with the right action, result and log, and never a value or token', async () => {
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: `${secrets[0]}\n` })).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'set', 'OTHER=-'], { input: `${secrets[1]}\n` })).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'add', 'NOTE', '--type', 'secure_note', '--notes-stdin'], { input: secrets[2] })).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'get', 'API_KEY'])).stdout).toBe(`${secrets[0]}\n`);
    expect((await store.agent(token1, ['credential', 'get', 'MISSING'])).code).toBe(3);
    expect((await store.agent(token1, ['credential', 'list', '--reveal'])).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'delete', 'OTHER', '--yes'])).code).toBe(0);
    expect((await store.agent(token2, ['credential', 'get', 'API_KEY', '--agent', 'bot1'])).code).toBe(5);
    const wrong = `avt_bot1_${randomBytes(32).toString('base64url')}`;
    expect((await store.agent(wrong, ['credential', 'get', 'API_KEY'])).code).toBe(4);
    expect((await store.run(['credential', 'get', 'API_KEY'], { env: { AGENT_VAULT_TOKEN: 'not-a-token' } })).code).not.toBe(0);
    expect((await store.run(['credential', 'get', 'API_KEY', '--agent', 'bot1'], { env: { AGENT_VAULT_PASSPHRASE: 'not the right one 123' } })).code).toBe(4);

    const bot1 = records(agentLog('bot1')).map(({ actor, agent, action, key, result }) => ({ actor, agent, action, ...(key ? { key } : {}), result }));
    expect(bot1).toEqual([
      { actor: 'owner', agent: 'bot1', action: 'agent.provision', result: 'ok' },
      { actor: 'owner', agent: 'bot1', action: 'credential.set', key: 'API_KEY', result: 'ok' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.set', key: 'OTHER', result: 'ok' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.add', key: 'NOTE', result: 'ok' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'API_KEY', result: 'ok' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'MISSING', result: 'not_found' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.reveal', result: 'ok' },
      { actor: 'agent:bot1', agent: 'bot1', action: 'credential.delete', key: 'OTHER', result: 'ok' },
    ]);
    expect(records(agentLog('bot1')).every((r) => r.mac !== undefined)).toBe(true);
    // A denied read of another agent's vault goes into the caller's own log, keyed, naming the vault.
    expect(records(agentLog('bot2')).at(-1)).toMatchObject({ actor: 'agent:bot2', agent: 'bot1', action: 'access.denied', result: 'denied', epoch: 0 });
    // Callers who proved nothing go unkeyed into the store's log.
    const denied = records(storeLog()).filter((r) => r.action === 'auth.denied');
    expect(denied.map(({ actor, agent, result, reason, mac }) => ({ actor, agent, result, reason, mac }))).toEqual([
      { actor: 'unknown', agent: 'bot1', result: 'denied', reason: 'token does not open the vault', mac: undefined },
      { actor: 'unknown', agent: '', result: 'denied', reason: 'malformed token', mac: undefined },
      { actor: 'unknown', agent: '', result: 'denied', reason: 'wrong passphrase', mac: undefined },
    ]);
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);

    const forbidden = [...secrets, token1, token2, token1.slice(-43), token2.slice(-43), PASSPHRASE, 'not the right one 123', wrong.slice(-43)];
    for (const file of allFiles(store.dir).filter((f) => !f.endsWith('.vault') && !f.endsWith('.bak') && !f.endsWith('/store'))) {
      const text = readFileSync(file, 'utf8');
      for (const value of forbidden) expect(text, `${file} contains a secret`).not.toContain(value);
    }
  });

  it('starts a new key epoch on token rotate and retires the log on deprovision, both still verifying', async () => {
    const rotated = (await store.owner(['token', 'rotate', 'bot1'])).stdout.trim();
    expect((await store.agent(rotated, ['credential', 'list'])).code).toBe(0);
    expect(records(agentLog('bot1')).map((r) => [r.action, r.epoch])).toEqual([
      ['agent.provision', 0],
      ['token.rotate', 1],
      ['credential.list', 1],
    ]);
    expect((await store.agent(rotated, ['audit', 'verify'])).code).toBe(0);
    expect((await store.owner(['deprovision', 'bot1', '--yes'])).code).toBe(0);
    const retired = readdirSync(join(store.dir, 'retired'));
    expect(retired.filter((f) => f.startsWith('bot1.')).map((f) => f.replace(/^bot1\.[^.]+\.\d+Z\./, ''))).toEqual(['audit.head', 'audit.jsonl']);
    const result = await store.owner(['audit', 'verify']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/1 retired or without a vault: chain checked, not keys/);
    expect(records(storeLog()).at(-1)).toMatchObject({ actor: 'owner', agent: 'bot1', action: 'agent.deprovision', epoch: 0 });
  });

  it('reports a torn last line and keeps appending after it', async () => {
    appendFileSync(agentLog('bot1'), '{"v":1,"seq":2,"ts":"20');
    expect((await store.agent(token1, ['credential', 'list'])).code).toBe(0);
    const lines = readLines(agentLog('bot1'));
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toMatchObject({ seq: 2, action: 'credential.list' });
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`audit log ${agentLog('bot1')} line 2: not a valid audit line`);
  });

  it('keeps logs and heads private (0600)', async () => {
    for (const file of [agentLog('bot1'), join(store.dir, 'vaults', 'bot1.audit.head'), storeLog(), join(store.dir, 'audit.head')]) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });
});

describe('audit and audit report', () => {
  let store: TempStore;
  let token1: string;
  let token2: string;
  beforeAll(async () => {
    store = new TempStore();
    await store.init();
    token1 = await store.provision('bot1');
    token2 = await store.provision('bot2');
    expect((await store.owner(['credential', 'set', 'A_KEY=-', '--agent', 'bot1'], { input: 'a\n' })).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'set', 'B_KEY=-'], { input: 'b\n' })).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'get', 'B_KEY'])).code).toBe(0);
    expect((await store.agent(token1, ['credential', 'list', '--reveal'])).code).toBe(0);
    expect((await store.agent(token2, ['credential', 'get', 'B_KEY', '--agent', 'bot1'])).code).toBe(5);
  });
  afterAll(() => store.cleanup());

  it('lists every log for the owner, oldest first, tab-separated when piped', async () => {
    const result = await store.owner(['audit']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.every((r) => r.length === 7)).toBe(true);
    const times = rows.map((r) => r[0]!);
    expect([...times].sort()).toEqual(times);
    expect(rows.map((r) => r[3])).toContain('store.init');
    expect(rows.find((r) => r[3] === 'access.denied')).toEqual([expect.any(String), 'agent:bot2', 'bot1', 'access.denied', 'B_KEY', 'denied', 'no grant']);
  });

  it('filters by --agent, --action prefix, --key, --since and --limit', async () => {
    const json = async (args: string[]) => {
      const result = await store.owner(['audit', '--json', ...args]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Array<{ agent: string; action: string; key?: string; seq: number; log: string; hash: string }>;
    };
    const bot1 = await json(['--agent', 'bot1']);
    expect(bot1.every((e) => e.agent === 'bot1')).toBe(true);
    expect(bot1.map((e) => e.log)).toContain('vaults/bot2.audit.jsonl');
    expect((await json(['--action', 'credential'])).map((e) => e.action)).toEqual(['credential.set', 'credential.set', 'credential.get', 'credential.reveal']);
    expect((await json(['--key', 'B_KEY', '--action', 'credential.get'])).map((e) => e.action)).toEqual(['credential.get']);
    expect(await json(['--since', '2999-01-01'])).toEqual([]);
    expect((await json(['--since', '1h'])).length).toBe((await json([])).length);
    const last2 = await json(['--limit', '2']);
    expect(last2.map((e) => e.action)).toEqual(['credential.reveal', 'access.denied']);
    expect(last2[0]!.hash).toMatch(/^[A-Za-z0-9+/]{43}$/);
  });

  it('shows an agent only its own log', async () => {
    const result = await store.agent(token2, ['audit', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Array<{ log: string }>).every((e) => e.log === 'vaults/bot2.audit.jsonl')).toBe(true);
    expect((await store.agent(`avt_bot2_${'A'.repeat(43)}`, ['audit'])).code).toBe(4);
  });

  it.each([
    [['audit', '--since', 'yesterday']],
    [['audit', '--limit', '0']],
    [['audit', '--limit', 'ten']],
    [['audit', '--agent', 'Not Valid']],
    [['audit', 'report', '--since', '5x']],
    [['audit', 'nonsense']],
    [['audit', 'verify', '--since', '1h']],
    [['audit', 'verify', '--agent', 'bot1']],
  ])('rejects %j with exit 2', async (args) => {
    expect((await store.owner(args)).code).toBe(2);
  });

  it('summarises access per agent', async () => {
    const result = await store.owner(['audit', 'report', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      expect.objectContaining({ agent: 'bot1', reads: 1, reveals: 1, writes: 2, totp: 0, execs: 0, denied: 1 }),
      // The wrong token naming bot2 in the test above.
      expect.objectContaining({ agent: 'bot2', reads: 0, writes: 0, denied: 1 }),
    ]);
    const piped = await store.owner(['audit', 'report', '--since', '1d']);
    expect(piped.stdout.split('\n')[0]!.split('\t').slice(0, 7)).toEqual(['bot1', '1', '1', '2', '0', '0', '1']);
  });
});

describe('audit --since follows the clock', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
  });
  afterEach(() => store.cleanup());

  it('drops events from the window once the clock moves past it, with no waiting', async () => {
    store.clock.set('2031-05-01T00:00:00.000Z');
    const token = await store.provision('bot1');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'v\n' })).code).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(0);
    const json = async (args: string[]) => {
      const result = await store.owner(['audit', '--json', ...args]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Array<{ action: string; ts: string }>;
    };
    const recent = await json(['--since', '1h']);
    // The store's log records the provisioning too, and the agent's log begins with it.
    expect(recent.map((e) => e.action)).toEqual(['agent.provision', 'agent.provision', 'credential.set', 'credential.get']);
    expect(recent.every((e) => e.ts.startsWith('2031-05-01T00:0'))).toBe(true);

    store.clock.advance(2 * 3_600_000);
    expect(await json(['--since', '1h'])).toEqual([]);
    expect((await json(['--since', '3h'])).map((e) => e.action)).toEqual(['agent.provision', 'agent.provision', 'credential.set', 'credential.get']);
    expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(0);
    expect((await json(['--since', '1h'])).map((e) => [e.action, e.ts.slice(0, 15)])).toEqual([['credential.get', '2031-05-01T02:0']]);
    const report = await store.owner(['audit', 'report', '--since', '1h', '--json']);
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ agent: 'bot1', reads: 1, writes: 0 })]);
  });
});
