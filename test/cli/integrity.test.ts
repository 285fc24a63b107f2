/**
 * A damaged vault file (a flipped byte in any header line or in the payload, or a cut)
 * is exit 6 for the owner: never printed as data, never with a stack trace. A flipped
 * byte inside the listing is noticed by lists and full reads, not by a get.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVaultFile } from '../../src/format/vault-file.js';
import { TempStore } from '../helpers/in-process.js';

const SECRET = 'integrity-secret-value';
let store: TempStore;
let vaultPath: string;
let good: Buffer;
let created: string;

beforeAll(async () => {
  ({ store } = await TempStore.withAgent());
  expect((await store.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: SECRET })).code).toBe(0);
  vaultPath = join(store.dir, 'vaults', 'bot.vault');
  good = readFileSync(vaultPath);
  created = (JSON.parse((await store.owner(['credential', 'list', '--json', '-a', 'bot'])).stdout) as Array<{ created: string }>)[0]!.created;
});
afterAll(() => store.cleanup());

const HEADER_LINES = ['version', 'agent', 'created', 'updated', 'slot owner', 'slot token', 'pub', '---'];

/** The offset of a byte in the middle of header line `index`. */
function middleOfLine(file: Buffer, index: number): number {
  let start = 0;
  for (let line = 0; line < index; line++) start = file.indexOf(0x0a, start) + 1;
  return start + Math.floor((file.indexOf(0x0a, start) - start) / 2);
}

/**
 * Writes `bytes` as the vault and expects a get and a full read to fail with exit 6;
 * with `listing`, a list instead of the get: a get does not decrypt the listing.
 */
async function expectDamaged(bytes: Buffer, options: { listing?: boolean } = {}): Promise<void> {
  writeFileSync(vaultPath, bytes);
  if (options.listing) expect(await store.owner(['credential', 'get', 'KEY', '-a', 'bot'])).toMatchObject({ code: 0, stdout: `${SECRET}\n` });
  for (const args of [options.listing ? ['credential', 'list', '-a', 'bot'] : ['credential', 'get', 'KEY', '-a', 'bot'], ['credential', 'list', '--reveal', '-a', 'bot']]) {
    const result = await store.owner(args);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).not.toContain(SECRET);
  }
}

describe('a damaged vault file', () => {
  it('opens intact before any damage', async () => {
    writeFileSync(vaultPath, good);
    expect(await store.owner(['credential', 'get', 'KEY', '-a', 'bot'])).toMatchObject({ code: 0, stdout: `${SECRET}\n` });
  });

  it.each(HEADER_LINES.map((name, index) => [name, index] as const))('a flipped byte in the %s line is exit 6', async (_name, index) => {
    const bytes = Buffer.from(good);
    bytes[middleOfLine(good, index)]! ^= 0x01;
    await expectDamaged(bytes);
  });

  it.each([0, 0.25, 0.5, 0.75, 1])('a flipped byte at %s of the payload is exit 6', async (fraction) => {
    const payloadStart = good.indexOf('\n--- ') + 1;
    const payload = good.indexOf(0x0a, payloadStart) + 1;
    const offset = Math.min(good.length - 1, payload + Math.floor((good.length - payload) * fraction));
    const bytes = Buffer.from(good);
    bytes[offset]! ^= 0x80;
    // The listing's ciphertext (its tag excluded, which every read compares) starts right
    // after the index and is as long as its text, one entry (man 5): `[{"created":…}]`.
    const file = parseVaultFile(good);
    const listingAt = file.headerBytes.length + file.index.length;
    const listingEnd = listingAt + Buffer.byteLength(`[{"created":"${created}"}]`);
    await expectDamaged(bytes, { listing: offset >= listingAt && offset < listingEnd });
  });

  it.each([0, 10, 100, 300, -17, -1])('a file cut to %s bytes is exit 6', async (length) => {
    await expectDamaged(good.subarray(0, length < 0 ? good.length + length : length));
  });

  it('with a byte appended is exit 6', async () => {
    await expectDamaged(Buffer.concat([good, Buffer.from('x')]));
  });

  it('is exit 6 for a write too, and the write changes nothing', async () => {
    const bytes = Buffer.from(good);
    bytes[good.length - 5]! ^= 0x01;
    writeFileSync(vaultPath, bytes);
    const result = await store.owner(['credential', 'set', 'OTHER=-', '-a', 'bot'], { input: 'x' });
    expect(result.code).toBe(6);
    expect(readFileSync(vaultPath).equals(bytes)).toBe(true);
  });
});

describe("a vault's updated line", () => {
  it('carries the time of the last write by the clock, and putting an earlier time back is exit 6', async () => {
    const local = new TempStore();
    try {
      await local.init();
      local.clock.set('2031-05-01T00:00:00.000Z');
      await local.provision('bot');
      expect((await local.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: SECRET })).code).toBe(0);
      const path = join(local.dir, 'vaults', 'bot.vault');
      const updatedLine = (bytes: Buffer): string => /\nupdated: ([^\n]+)\n/.exec(bytes.toString('latin1'))![1]!;
      const first = updatedLine(readFileSync(path));
      expect(first).toMatch(/^2031-05-01T00:0/);
      local.clock.advance(24 * 3_600_000);
      expect((await local.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: SECRET })).code).toBe(0);
      const later = readFileSync(path);
      expect(updatedLine(later)).toMatch(/^2031-05-02T00:0/);
      writeFileSync(path, Buffer.from(later.toString('latin1').replace(`updated: ${updatedLine(later)}`, `updated: ${first}`), 'latin1'));
      const result = await local.owner(['credential', 'get', 'KEY', '-a', 'bot']);
      expect(result).toMatchObject({ code: 6, stdout: '' });
      expect(result.stderr).not.toContain(SECRET);
    } finally {
      local.cleanup();
    }
  });
});
