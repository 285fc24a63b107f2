/**
 * Writes of a few credentials through the overlay (man/agent-vault.5 WRITING), seen as a
 * user or an agent sees them: in a vault of three blocks, each write's list equals a full
 * read, every value reads back by key and by id, and history counts what a full
 * read-modify-write would have recorded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretField } from '../../src/core/credential.js';
import { parseVaultFile } from '../../src/format/vault-file.js';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let token: string;
const k = (i: number): string => `K_${String(i).padStart(3, '0')}`;
/** Every key the vault holds, and each one's main secret: what a full read-modify-write would leave. */
const expected = new Map<string, string>();

beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent('bot'));
  // 150 credentials: blocks of 64, 64 and 22.
  for (let i = 0; i < 150; i++) expected.set(k(i), `v-${i}`);
  const result = await store.owner(['credential', 'set', ...[...expected].map(([key, value]) => `${key}=${value}`), '-a', 'bot']);
  expect(result.code, result.stderr).toBe(0);
});
afterAll(() => store.cleanup());

const ok = async (args: string[], input?: string): Promise<string> => {
  const result = await store.owner([...args, '-a', 'bot'], input === undefined ? {} : { input });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
};

type Listed = { key: string; id: string; type: string; fields: Record<string, string> };

/** The list (no block decrypted), the agent's list, a search and completion equal the full read; every value reads back. */
async function expectVault(): Promise<Listed[]> {
  const full = JSON.parse(await ok(['credential', 'list', '--reveal', '--json'])) as Listed[];
  expect(new Map(full.map((c) => [c.key, c.fields.value]))).toEqual(new Map([...expected].sort(([a], [b]) => (a < b ? -1 : 1))));
  const withoutValues = full.map((c) => ({ ...c, fields: Object.fromEntries(Object.entries(c.fields).filter(([name]) => !isSecretField('api_key', name))) }));
  expect(JSON.parse(await ok(['credential', 'list', '--json']))).toEqual(withoutValues);
  const agentList = await store.agent(token, ['credential', 'list', '--json']);
  expect(JSON.parse(agentList.stdout)).toEqual(withoutValues);
  const search = await store.agent(token, ['credential', 'search', 'K_1', '--json']);
  expect((JSON.parse(search.stdout) as Listed[]).map((c) => c.key)).toEqual(full.map((c) => c.key).filter((key) => key.includes('K_1')));
  const complete = await store.run(['__complete', 'keys'], { env: { AGENT_VAULT_TOKEN: token } });
  expect(complete.stdout.split('\n').filter(Boolean)).toEqual(full.map((c) => c.key));
  return full;
}

async function versionCount(keyOrId: string): Promise<number> {
  return (JSON.parse(await ok(['credential', 'history', keyOrId, '--json'])) as unknown[]).length;
}

describe('in a vault of three blocks, writes of a few credentials', () => {
  it('a set of 32 keys, half new, half existing in every block, then of 33: listed as a full read, one version more for each existing key', async () => {
    for (const [count, tag] of [
      [32, 'a'],
      [33, 'b'],
    ] as const) {
      const existing = Array.from({ length: Math.ceil(count / 2) }, (_, i) => k(i * 9));
      const fresh = Array.from({ length: count - existing.length }, (_, i) => `NEW_${tag.toUpperCase()}_${i}`);
      const pairs = [...existing, ...fresh].map((key) => [key, `${tag}-${key}`] as const);
      await ok(['credential', 'set', ...pairs.map(([key, value]) => `${key}=${value}`)]);
      for (const [key, value] of pairs) expected.set(key, value);
      await expectVault();
      expect(await versionCount(k(9))).toBe(tag === 'a' ? 2 : 3);
      expect(await versionCount(`NEW_${tag.toUpperCase()}_0`)).toBe(1);
      expect(await versionCount(k(1))).toBe(1);
    }
  });

  it('a renamed credential reads by its id and its new key, not its old key; the old key can be set again as a new credential', async () => {
    const before = (await expectVault()).find((c) => c.key === k(70))!;
    await ok(['credential', 'update', k(70), '--rename', 'MOVED']);
    expected.delete(k(70));
    expected.set('MOVED', 'v-70');
    expect(await store.agent(token, ['credential', 'get', before.id])).toMatchObject({ code: 0, stdout: 'v-70\n' });
    expect((await store.agent(token, ['credential', 'get', k(70)])).code).toBe(3);
    await ok(['credential', 'update', before.id, '--rename', 'MOVED_AGAIN']);
    expected.delete('MOVED');
    expected.set('MOVED_AGAIN', 'v-70');
    await ok(['credential', 'set', `${k(70)}=reborn`]);
    expected.set(k(70), 'reborn');
    const after = await expectVault();
    expect(after.find((c) => c.key === k(70))!.id).not.toBe(before.id);
    expect(await versionCount(k(70))).toBe(1);
    expect(await versionCount('MOVED_AGAIN')).toBe(1);
    // A rename onto a key not read yet, in another block, is refused and changes nothing.
    expect((await store.owner(['credential', 'update', 'MOVED_AGAIN', '--rename', k(2), '-a', 'bot'])).code).toBe(2);
    await expectVault();
  });

  it('a deleted key set again, rotated and restored keeps only the new credential\'s versions', async () => {
    await ok(['credential', 'delete', k(130), '--yes']);
    expected.delete(k(130));
    await ok(['credential', 'set', `${k(130)}=second`]);
    expected.set(k(130), 'second');
    await ok(['credential', 'rotate', k(130), '--value-stdin'], 'third');
    await ok(['credential', 'restore', k(130), '1']);
    await expectVault();
    const versions = JSON.parse(await ok(['credential', 'history', k(130), '--json', '--reveal'])) as Array<{ version: number; fields?: Record<string, string>; values?: Record<string, string> }>;
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(JSON.stringify(versions)).not.toContain('v-130');
  });

  it('every credential of the first block deleted, one by one by the agent: the other blocks read on', async () => {
    const first = [...expected.keys()].slice(0, 64);
    for (const key of first) {
      const result = await store.agent(token, ['credential', 'delete', key, '--yes']);
      expect(result.code, result.stderr).toBe(0);
      expected.delete(key);
    }
    await expectVault();
  });

  it('a granted credential renamed, then set: the grantee reads the new value under the new key; a revoke by id ends it', async () => {
    const reader = await store.provision('reader');
    await ok(['grant', k(100), '--to', 'reader']);
    const id = (JSON.parse(await ok(['credential', 'get', k(100), '--json'])) as { id: string }).id;
    await ok(['credential', 'update', k(100), '--rename', 'GRANTED']);
    expected.delete(k(100));
    await ok(['credential', 'set', 'GRANTED=granted-new']);
    expected.set('GRANTED', 'granted-new');
    expect(await store.agent(reader, ['credential', 'get', 'GRANTED', '--agent', 'bot'])).toMatchObject({ code: 0, stdout: 'granted-new\n' });
    await expectVault();
    await ok(['grant', 'revoke', id, '--to', 'reader']);
    expect((await store.agent(reader, ['credential', 'get', 'GRANTED', '--agent', 'bot'])).code).toBe(5);
    await expectVault();
  });

  it('a copy into another vault of three blocks, new and --force over a key of its middle block: both vaults list as a full read', async () => {
    const other = await store.provision('other');
    const pairs = Array.from({ length: 150 }, (_, i) => `O_${i}=o-${i}`);
    expect((await store.owner(['credential', 'set', ...pairs, '-a', 'other'])).code).toBe(0);
    await ok(['credential', 'copy', k(140), 'COPIED', '--to-agent', 'other']);
    await ok(['credential', 'copy', k(141), 'O_70', '--force', '--to-agent', 'other']);
    expect(await store.agent(other, ['credential', 'get', 'COPIED'])).toMatchObject({ code: 0, stdout: `${expected.get(k(140))}\n` });
    expect(await store.agent(other, ['credential', 'get', 'O_70'])).toMatchObject({ code: 0, stdout: `${expected.get(k(141))}\n` });
    expect(await store.agent(other, ['credential', 'get', 'O_71'])).toMatchObject({ code: 0, stdout: 'o-71\n' });
    const full = JSON.parse((await store.owner(['credential', 'list', '--reveal', '--json', '-a', 'other'])).stdout) as Listed[];
    expect(full).toHaveLength(151);
    const listed = JSON.parse((await store.owner(['credential', 'list', '--json', '-a', 'other'])).stdout) as Listed[];
    expect(listed).toEqual(full.map((c) => ({ ...c, fields: Object.fromEntries(Object.entries(c.fields).filter(([name]) => !isSecretField('api_key', name))) })));
    const history = JSON.parse((await store.owner(['credential', 'history', 'O_70', '--json', '-a', 'other'])).stdout) as unknown[];
    expect(history).toHaveLength(2);
    await expectVault();
  });

  it('a write of one credential when the listing before its tag is damaged is exit 6 and leaves the file as it was', async () => {
    const path = join(store.dir, 'vaults', 'bot.vault');
    const good = readFileSync(path);
    const full = (await expectVault()).length;
    expect(full).toBe(expected.size);
    // The listing's first byte: the first after the sealed index.
    const file = parseVaultFile(good);
    const damaged = Buffer.from(good);
    damaged[file.headerBytes.length + file.index.length]! ^= 0x01;
    writeFileSync(path, damaged);
    const result = await store.owner(['credential', 'set', `${k(140)}=x`, '-a', 'bot']);
    expect(result.code).toBe(6);
    expect(readFileSync(path).equals(damaged)).toBe(true);
    expect(await store.agent(token, ['credential', 'get', k(140)])).toMatchObject({ code: 0, stdout: `${expected.get(k(140))}\n` });
    writeFileSync(path, good);
  });

  it("with the last block's ciphertext damaged, a set of 32 keys of the first block writes them; one of 33 reads every block and is exit 6", async () => {
    const dmg = await store.provision('dmg');
    // 100 credentials: block 0 the first 64, block 1 (the last) the other 36.
    const keys = Array.from({ length: 100 }, (_, i) => `D_${String(i).padStart(3, '0')}`);
    expect((await store.owner(['credential', 'set', ...keys.map((key) => `${key}=d`), '-a', 'dmg'])).code).toBe(0);
    const path = join(store.dir, 'vaults', 'dmg.vault');
    const damaged = readFileSync(path);
    // A byte of the last block's ciphertext, just before its tag (a changed tag fails every write: man 5).
    damaged[damaged.length - 17]! ^= 0x01;
    writeFileSync(path, damaged);
    const many = await store.agent(dmg, ['credential', 'set', ...keys.slice(0, 33).map((key) => `${key}=many`)]);
    expect(many.code).toBe(6);
    expect(readFileSync(path).equals(damaged)).toBe(true);
    const few = await store.agent(dmg, ['credential', 'set', ...keys.slice(0, 32).map((key) => `${key}=few`)]);
    expect(few.code, few.stderr).toBe(0);
    for (const key of [keys[0]!, keys[31]!]) expect(await store.agent(dmg, ['credential', 'get', key])).toMatchObject({ code: 0, stdout: 'few\n' });
    expect(await store.agent(dmg, ['credential', 'get', keys[32]!])).toMatchObject({ code: 0, stdout: 'd\n' });
    expect((await store.agent(dmg, ['credential', 'get', keys[99]!])).code).toBe(6);
  });
});
