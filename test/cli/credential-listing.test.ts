/**
 * The vault's listing (man/agent-vault.5, VAULT FILE) is what `credential list` and
 * `search` print without `--reveal`, read without decrypting a block of records. Every
 * write re-encodes it from the records, so after each kind of write a list must show
 * exactly what a full read shows (`list --reveal`, its secret values left out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretField, type CredentialType } from '../../src/core/credential.js';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let token: string;

beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
  await store.provision('reader');
});
afterAll(() => store.cleanup());

type Listed = { key: string; type: CredentialType; fields: Record<string, string> };

async function json(args: string[], run = store.owner.bind(store)): Promise<Listed[]> {
  const result = await run(args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Listed[];
}

/** A full read (`--reveal`, which decrypts every block) with the secret values taken out again. */
async function fullRead(): Promise<Listed[]> {
  return (await json(['credential', 'list', '--reveal', '--json', '-a', 'bot'])).map((c) => ({
    ...c,
    fields: Object.fromEntries(Object.entries(c.fields).filter(([name]) => !isSecretField(c.type, name))),
  }));
}

/** The listing, as the owner and the agent's token read it, equals the full read; so does the table's key column. */
async function expectListingIsRecords(keys: string[]): Promise<void> {
  const full = await fullRead();
  expect(full.map((c) => c.key)).toEqual([...keys].sort());
  expect(await json(['credential', 'list', '--json', '-a', 'bot'])).toEqual(full);
  expect(await json(['credential', 'list', '--json'], (args) => store.agent(token, args))).toEqual(full);
  const table = await store.owner(['credential', 'list', '-a', 'bot']);
  expect(table.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0])).toEqual(full.map((c) => c.key));
}

const ok = async (args: string[], input?: string, run = store.owner.bind(store)): Promise<void> => {
  const result = await run(args, input === undefined ? {} : { input });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
};

describe('after each kind of write, a list shows what a full read shows', () => {
  it('set, add, update, rotate, restore, delete, grants, import, copy, token rotate, rekey and an agent set', async () => {
    await ok(['credential', 'set', 'A=one', 'B=two', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B']);
    await ok(['credential', 'set', 'A=changed', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B']);
    await ok(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'ada', '--uri', 'https://github.com', '--tag', 'scm', '--name', 'GitHub', '--password-stdin', '-a', 'bot'], 'pw-1');
    await ok(['credential', 'add', 'ID', '--type', 'identity', '--full-name', 'Ada Lovelace', '--email', 'ada@example.com', '-a', 'bot']);
    await ok(['credential', 'add', 'DB', '--value-stdin', '--rotate-every', '30d', '-a', 'bot'], 'db-1');
    await expectListingIsRecords(['A', 'B', 'GITHUB', 'ID', 'DB']);
    await ok(['credential', 'update', 'GITHUB', '--rename', 'GH', '--name', 'GitHub bot', '--tag', 'ci', '--username', 'octo', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'rotate', 'DB', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'restore', 'DB', '1', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'delete', 'B', '-a', 'bot', '--yes']);
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB']);
    await ok(['grant', 'GH', '--to', 'reader', '-a', 'bot']);
    // A change to a granted credential re-seals its grant in the same write.
    await ok(['credential', 'update', 'GH', '--username', 'granted-user', '-a', 'bot']);
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB']);
    await ok(['import', 'dotenv', '-', '-a', 'bot', '--on-conflict', 'overwrite'], 'IMPORTED=x\nA=from-import\n');
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB', 'IMPORTED']);
    await ok(['credential', 'copy', 'GH', 'GH_COPY', '-a', 'bot']);
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    const rotated = await store.owner(['token', 'rotate', 'bot']);
    expect(rotated.code, rotated.stderr).toBe(0);
    token = rotated.stdout.trim();
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    await ok(['rekey']);
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    await ok(['credential', 'set', 'AGENT_SET=by-token'], undefined, (args, options) => store.agent(token, args, options));
    await expectListingIsRecords(['A', 'AGENT_SET', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
  });

  it('a list shows the masks a full read would, and never a value', async () => {
    await ok(['credential', 'add', 'NO_PASSWORD', '--type', 'login', '--username', 'u', '-a', 'bot']);
    const table = await store.owner(['credential', 'list', '-a', 'bot'], { tty: true });
    expect(table.code).toBe(0);
    // Every credential but the login without a password has its main field set: masked, as a full read masks it.
    const rows = table.stdout.split('\n').filter((l) => /\b(A|AGENT_SET|DB|GH|GH_COPY|ID|IMPORTED|NO_PASSWORD)\b/.test(l));
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.includes('********'), row).toBe(!row.includes('NO_PASSWORD'));
    const listed = await store.owner(['credential', 'list', '--json', '-a', 'bot']);
    const search = await store.owner(['credential', 'search', 'gh', '--json', '-a', 'bot']);
    for (const text of [table.stdout, listed.stdout, search.stdout]) for (const value of ['changed', 'pw-1', 'db-1', 'from-import', 'by-token']) expect(text).not.toContain(value);
    expect((JSON.parse(search.stdout) as Listed[]).map((c) => c.key)).toEqual(['GH', 'GH_COPY']);
  });
});

describe('in a vault of several blocks, the writes of one credential (which decrypt only its block)', () => {
  let multi: string;
  const k = (i: number): string => `M_${String(i).padStart(3, '0')}`;
  const asMulti = (args: string[], options: { input?: string } = {}) => store.agent(multi, args, options);

  /** The listing by owner and token equals the full read, whose keys are `keys`; each of `values` reads back by token. */
  async function expectMulti(keys: string[], values: Record<string, string> = {}): Promise<void> {
    const full = (await json(['credential', 'list', '--reveal', '--json', '-a', 'multi'])).map((c) => ({
      ...c,
      fields: Object.fromEntries(Object.entries(c.fields).filter(([name]) => !isSecretField(c.type, name))),
    }));
    expect(full.map((c) => c.key)).toEqual([...keys].sort());
    expect(await json(['credential', 'list', '--json', '-a', 'multi'])).toEqual(full);
    expect(await json(['credential', 'list', '--json'], asMulti)).toEqual(full);
    for (const [key, value] of Object.entries(values)) expect(await asMulti(['credential', 'get', key])).toMatchObject({ code: 0, stdout: `${value}\n` });
  }

  /** `credential history KEY --json` as the owner sees it: version, actor, fields, restored. */
  async function versions(key: string): Promise<Array<Record<string, unknown>>> {
    const result = await store.owner(['credential', 'history', key, '--json', '-a', 'multi']);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as Array<Record<string, unknown>>).map(({ version, actor, changed_fields, current, restored_from }) => ({
      version,
      actor,
      changed_fields,
      current,
      ...(restored_from === undefined ? {} : { restored_from }),
    }));
  }

  let keys: string[];
  beforeAll(async () => {
    multi = await store.provision('multi');
    // 128 credentials: two full blocks of 64.
    keys = Array.from({ length: 128 }, (_, i) => k(i));
    await ok(['credential', 'set', ...keys.map((key) => `${key}=v-${key}`), '-a', 'multi']);
  });

  it('a set of an existing key of the first block, by token: listed as before, its history grows by one', async () => {
    await ok(['credential', 'set', `${k(3)}=-`], 'changed-3', asMulti);
    await expectMulti(keys, { [k(3)]: 'changed-3', [k(4)]: `v-${k(4)}`, [k(100)]: `v-${k(100)}` });
    expect(await versions(k(3))).toEqual([
      { version: 2, actor: 'agent:multi', changed_fields: ['value'], current: true },
      { version: 1, actor: 'owner', changed_fields: ['value'], current: false },
    ]);
    expect(await versions(k(4))).toEqual([{ version: 1, actor: 'owner', changed_fields: ['value'], current: true }]);
  });

  it('a set of a new key into a full last block starts a block; the next new key joins it', async () => {
    await ok(['credential', 'set', 'NEW_1=-'], 'n1', asMulti);
    keys.push('NEW_1');
    await expectMulti(keys, { NEW_1: 'n1', [k(127)]: `v-${k(127)}` });
    await ok(['credential', 'set', 'NEW_2=n2', `${k(64)}=changed-64`], undefined, asMulti);
    keys.push('NEW_2');
    await expectMulti(keys, { NEW_1: 'n1', NEW_2: 'n2', [k(64)]: 'changed-64' });
    expect(await versions('NEW_2')).toEqual([{ version: 1, actor: 'agent:multi', changed_fields: ['value'], current: true }]);
  });

  it('add, update with a rename, rotate and restore of one credential', async () => {
    await ok(['credential', 'add', 'LOGIN', '--type', 'login', '--username', 'ada', '--password-stdin', '-a', 'multi'], 'pw-1');
    keys.push('LOGIN');
    const again = await store.owner(['credential', 'add', 'LOGIN', '--type', 'login', '--username', 'x', '-a', 'multi']);
    expect(again.code).toBe(2);
    await ok(['credential', 'update', k(70), '--rename', 'RENAMED', '--tag', 'moved', '-a', 'multi']);
    keys.splice(keys.indexOf(k(70)), 1, 'RENAMED');
    await expectMulti(keys, { RENAMED: `v-${k(70)}` });
    expect((await asMulti(['credential', 'get', k(70)])).code).toBe(3);
    const clash = await store.owner(['credential', 'update', 'RENAMED', '--rename', k(71), '-a', 'multi']);
    expect(clash.code).toBe(2);
    await ok(['credential', 'rotate', k(10), '-a', 'multi']);
    await ok(['credential', 'restore', k(10), '1', '-a', 'multi']);
    await expectMulti(keys, { [k(10)]: `v-${k(10)}` });
    expect(await versions(k(10))).toEqual([
      { version: 3, actor: 'owner', changed_fields: ['value'], current: true, restored_from: 1 },
      { version: 2, actor: 'owner', changed_fields: ['value'], current: false },
      { version: 1, actor: 'owner', changed_fields: ['value'], current: false },
    ]);
  });

  it('a delete of one credential, then of every credential of the last block', async () => {
    await ok(['credential', 'delete', k(5), '--yes'], undefined, asMulti);
    keys.splice(keys.indexOf(k(5)), 1);
    await expectMulti(keys, { [k(6)]: `v-${k(6)}` });
    expect((await asMulti(['credential', 'get', k(5)])).code).toBe(3);
    for (const key of ['NEW_1', 'NEW_2', 'LOGIN']) {
      await ok(['credential', 'delete', key, '--yes', '-a', 'multi']);
      keys.splice(keys.indexOf(key), 1);
    }
    await expectMulti(keys, { [k(127)]: `v-${k(127)}` });
    // A new key after the emptied block was dropped: a block of its own again.
    await ok(['credential', 'set', `${k(5)}=back`], undefined, asMulti);
    keys.push(k(5));
    await expectMulti(keys, { [k(5)]: 'back' });
    expect(await versions(k(5))).toEqual([{ version: 1, actor: 'agent:multi', changed_fields: ['value'], current: true }]);
  });

  it('a granted credential changed by a one-key write is re-sealed: the grantee reads the new value', async () => {
    const reader = await store.provision('reader2');
    await ok(['grant', k(20), '--to', 'reader2', '-a', 'multi']);
    await ok(['credential', 'set', `${k(20)}=granted-new`], undefined, asMulti);
    expect(await store.agent(reader, ['credential', 'get', k(20), '--agent', 'multi'])).toMatchObject({ code: 0, stdout: 'granted-new\n' });
    await ok(['credential', 'delete', k(20), '--yes'], undefined, asMulti);
    keys.splice(keys.indexOf(k(20)), 1);
    expect((await store.agent(reader, ['credential', 'get', k(20), '--agent', 'multi'])).code).toBe(5);
    await expectMulti(keys);
  });
});
