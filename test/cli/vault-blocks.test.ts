/**
 * The indexed vault file through the CLI (man/agent-vault.5, What each read notices):
 * a damaged block fails the reads that need it with exit 6, and only those (a list
 * reads the listing, not the blocks); a damaged listing fails lists and full reads;
 * a v1 vault file is refused by name with the way out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseVaultFile } from '../../src/format/vault-file.js';
import { TempStore } from '../helpers/in-process.js';

const key = (i: number): string => `KEY_${String(i).padStart(3, '0')}`;

/** A store whose agent bot1 holds 70 credentials: block 0 the first 64, block 1 the last 6; with `flippedFromEnd`, that byte from the file's end flipped. */
async function twoBlockVault(options: { flippedFromEnd?: number } = {}): Promise<{ store: TempStore; token: string; vaultPath: string }> {
  const { store, token } = await TempStore.withAgent('bot1');
  const pairs = Array.from({ length: 70 }, (_, i) => `${key(i)}=value-${i}`);
  expect((await store.owner(['credential', 'set', ...pairs, '--agent', 'bot1'])).code).toBe(0);
  const vaultPath = join(store.dir, 'vaults', 'bot1.vault');
  if (options.flippedFromEnd !== undefined) {
    const bytes = readFileSync(vaultPath);
    bytes[bytes.length - options.flippedFromEnd]! ^= 0x01;
    writeFileSync(vaultPath, bytes);
  }
  return { store, token, vaultPath };
}

describe('a vault of two blocks with the last byte of the file flipped', () => {
  let store: TempStore;
  let token: string;
  let vaultPath: string;

  beforeEach(async () => {
    ({ store, token, vaultPath } = await twoBlockVault({ flippedFromEnd: 1 }));
  });
  afterEach(() => store.cleanup());

  it('a get of a credential in the damaged block is exit 6, by token and by owner, naming the vault and no value', async () => {
    for (const run of [() => store.agent(token, ['credential', 'get', key(69)]), () => store.owner(['credential', 'get', key(64), '--agent', 'bot1'])]) {
      const result = await run();
      expect(result.code).toBe(6);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/vault file of agent bot1 failed authentication/);
      expect(result.stderr).not.toMatch(/value-6[4-9]/);
    }
  });

  it('a get of a credential in the intact block reads, by token and by owner', async () => {
    expect(await store.agent(token, ['credential', 'get', key(0)])).toMatchObject({ code: 0, stdout: 'value-0\n' });
    expect(await store.owner(['credential', 'get', key(63), '--agent', 'bot1'])).toMatchObject({ code: 0, stdout: 'value-63\n' });
  });

  it('list and search read the listing, not the blocks: every key is shown, no value', async () => {
    const list = await store.agent(token, ['credential', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0])).toEqual(Array.from({ length: 70 }, (_, i) => key(i)));
    const search = await store.agent(token, ['credential', 'search', 'KEY_06', '--json']);
    expect(search.code).toBe(0);
    expect((JSON.parse(search.stdout) as Array<{ key: string }>).map((c) => c.key)).toEqual(Array.from({ length: 10 }, (_, i) => key(60 + i)));
    expect(`${list.stdout}${search.stdout}`).not.toMatch(/value-/);
  });

  it('list --reveal, export and a write of another key are exit 6, and the write leaves the file as it was', async () => {
    const before = readFileSync(vaultPath);
    expect((await store.agent(token, ['credential', 'list', '--reveal'])).code).toBe(6);
    expect((await store.owner(['export', '--agent', 'bot1', '--yes'])).code).toBe(6);
    expect((await store.agent(token, ['credential', 'set', `${key(0)}=-`], { input: 'changed' })).code).toBe(6);
    expect(readFileSync(vaultPath).equals(before)).toBe(true);
  });
});

describe('a vault of two blocks with a ciphertext byte of the last block flipped (not its tag)', () => {
  let store: TempStore;
  let token: string;
  let vaultPath: string;

  beforeEach(async () => {
    // The last block holds 6 records: 20 bytes before the end is inside its ciphertext.
    ({ store, token, vaultPath } = await twoBlockVault({ flippedFromEnd: 20 }));
  });
  afterEach(() => store.cleanup());

  it('a write of a credential of that block is exit 6 and leaves the file as it was', async () => {
    const before = readFileSync(vaultPath);
    expect((await store.agent(token, ['credential', 'set', `${key(66)}=-`], { input: 'changed' })).code).toBe(6);
    expect((await store.agent(token, ['credential', 'set', 'NEW=-'], { input: 'new' })).code).toBe(6);
    expect(readFileSync(vaultPath).equals(before)).toBe(true);
  });

  it('a write of a credential of the intact block succeeds without decrypting it, and the damaged block keeps failing its reads', async () => {
    expect((await store.agent(token, ['credential', 'set', `${key(3)}=-`], { input: 'changed' })).code).toBe(0);
    expect(await store.agent(token, ['credential', 'get', key(3)])).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect((await store.owner(['credential', 'delete', key(4), '--agent', 'bot1', '--yes'])).code).toBe(0);
    for (const k of [key(64), key(69)]) expect((await store.agent(token, ['credential', 'get', k])).code, k).toBe(6);
    expect((await store.agent(token, ['credential', 'history', key(69)])).code).toBe(6);
    expect((await store.agent(token, ['credential', 'history', key(3)])).code).toBe(0);
    expect((await store.agent(token, ['credential', 'list', '--reveal'])).code).toBe(6);
    // The listing was written from the records: every key but the deleted one, no value.
    const list = await store.agent(token, ['credential', 'list']);
    expect(list.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0])).toEqual(Array.from({ length: 70 }, (_, i) => key(i)).filter((k) => k !== key(4)));
  });
});

describe('a vault whose listing or index has a flipped byte', () => {
  let store: TempStore;
  let token: string;
  let vaultPath: string;
  let listingAt: number;
  let good: Buffer;

  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent('bot1'));
    expect((await store.owner(['credential', 'set', 'A=value-a', 'B=value-b', '--agent', 'bot1'])).code).toBe(0);
    vaultPath = join(store.dir, 'vaults', 'bot1.vault');
    good = readFileSync(vaultPath);
    const file = parseVaultFile(good);
    listingAt = file.headerBytes.length + file.index.length;
  });
  afterEach(() => store.cleanup());
  const flipAt = (at: number): void => {
    const bytes = Buffer.from(good);
    bytes[at]! ^= 0x01;
    writeFileSync(vaultPath, bytes);
  };

  it('in the listing: list, search and every full read are exit 6; a get still reads', async () => {
    flipAt(listingAt);
    for (const args of [['credential', 'list'], ['credential', 'list', '--json'], ['credential', 'search', 'A'], ['credential', 'list', '--reveal']]) {
      const result = await store.agent(token, args);
      expect(result, args.join(' ')).toMatchObject({ code: 6, stdout: '' });
      expect(result.stderr).toMatch(/vault file of agent bot1 failed authentication \(listing\)/);
    }
    expect((await store.agent(token, ['credential', 'set', 'A=changed'])).code).toBe(6);
    expect(await store.agent(token, ['credential', 'get', 'B'])).toMatchObject({ code: 0, stdout: 'value-b\n' });
  });

  it('in the index: list and get are exit 6', async () => {
    flipAt(listingAt - 20);
    for (const args of [['credential', 'list'], ['credential', 'get', 'A']]) expect((await store.agent(token, args)).code, args.join(' ')).toBe(6);
    expect((await store.owner(['credential', 'list', '--agent', 'bot1'])).code).toBe(6);
  });
});

describe('a vault read in parts (the header, the index, then only the block a get needs)', () => {
  let store: TempStore;
  let token: string;
  let vaultPath: string;

  beforeEach(async () => {
    ({ store, token, vaultPath } = await twoBlockVault());
  });
  afterEach(() => store.cleanup());

  // Whatever a get reads, the index must describe the whole file: its size is checked, not read.
  const DAMAGE: Array<[string, (bytes: Buffer) => Buffer]> = [
    ['cut by one byte', (bytes) => bytes.subarray(0, bytes.length - 1)],
    ['cut inside the last block', (bytes) => bytes.subarray(0, bytes.length - 200)],
    ['one byte added after the last block', (bytes) => Buffer.concat([bytes, Buffer.from([0])])],
    ['a header byte changed', (bytes) => Buffer.from(bytes.toString('latin1').replace('created: 2', 'created: 1'), 'latin1')],
  ];

  it.each(DAMAGE)('%s: a get of a credential of the intact first block is exit 6, by token and by owner', async (_name, damage) => {
    writeFileSync(vaultPath, damage(readFileSync(vaultPath)));
    for (const run of [() => store.agent(token, ['credential', 'get', key(0)]), () => store.owner(['credential', 'get', key(1), '--agent', 'bot1'])]) {
      const result = await run();
      expect(result.code).toBe(6);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/vault file/);
    }
  });

  it('a get, then a write, then a get again read the vault as each found it', async () => {
    expect(await store.agent(token, ['credential', 'get', key(69)])).toMatchObject({ code: 0, stdout: 'value-69\n' });
    expect((await store.agent(token, ['credential', 'set', `${key(69)}=-`], { input: 'changed' })).code).toBe(0);
    expect(await store.agent(token, ['credential', 'get', key(69)])).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(await store.agent(token, ['credential', 'get', key(0)])).toMatchObject({ code: 0, stdout: 'value-0\n' });
  });
});

describe('a v1 vault file', () => {
  let store: TempStore;
  afterEach(() => store.cleanup());

  it('is refused with exit 6, naming both versions and how to move its credentials', async () => {
    store = new TempStore();
    await store.init();
    const token = await store.provision('bot1');
    const path = join(store.dir, 'vaults', 'bot1.vault');
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([Buffer.from('agent-vault/v1'), bytes.subarray('agent-vault/v2'.length)]));
    for (const result of [await store.agent(token, ['credential', 'get', 'ANY']), await store.owner(['credential', 'list', '--agent', 'bot1'])]) {
      expect(result.code).toBe(6);
      expect(result.stderr).toMatch(/agent-vault\/v1.*agent-vault\/v2/);
      expect(result.stderr).toMatch(/export .* import/);
    }
  });
});
