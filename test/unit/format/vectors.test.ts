/**
 * The format vectors of test/vectors/ (see manifest.json and man/agent-vault.5): good
 * files open with the passphrase and with the token to the exact payload; every bad
 * file fails with the error and exit code the manifest names, never with data.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../../src/app/open-session.js';
import type { Session } from '../../../src/app/session.js';
import { AuthError, IntegrityError, VaultError } from '../../../src/core/errors.js';
import { decodeBase64 } from '../../../src/format/encoding.js';
import { deriveOwnerSigningKey, parseKeyCertificate, verifyKeyCertificate } from '../../../src/format/key-certificate.js';
import { open } from '../../../src/format/aead.js';
import { encodeVaultHeader, parseVaultFile } from '../../../src/format/vault-file.js';
import { encodeListingEntry, findCredential, listSummaries, requireCredential } from '../../../src/core/vault.js';
import { makeVectors, type Expectation, type Manifest } from '../../helpers/make-vectors.js';

const DIR = resolve(import.meta.dirname, '../../vectors');
if (process.env.UPDATE_VECTORS === '1') {
  for (const [name, bytes] of (await makeVectors()).files) {
    mkdirSync(dirname(join(DIR, name)), { recursive: true });
    writeFileSync(join(DIR, name), bytes);
  }
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;
const read = (name: string): Buffer => readFileSync(join(DIR, name));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'agent-vault-vectors-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A store directory holding the good vectors, with `replace` (a vector file) swapped in. */
function storeWith(replace?: { kind: 'store' | 'vault'; agent: string; file: string }): string {
  const dir = mkdtempSync(join(root, 'store-'));
  mkdirSync(join(dir, 'vaults'));
  writeFileSync(join(dir, 'store'), read(manifest.store));
  for (const good of manifest.good) writeFileSync(join(dir, 'vaults', `${good.agent}.vault`), read(good.vault));
  if (replace?.kind === 'store') writeFileSync(join(dir, 'store'), read(replace.file));
  if (replace?.kind === 'vault') writeFileSync(join(dir, 'vaults', `${replace.agent}.vault`), read(replace.file));
  return dir;
}

const asOwner = (store: string, passphrase = manifest.passphrase): Promise<Session> => openSession({ store, passphrase });
const asAgent = (store: string, token: string): Promise<Session> => openSession({ store, token });

async function expectFailure(attempt: Promise<unknown>, expected: Expectation): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, 'the file opened').toBeInstanceOf(VaultError);
  // FormatError (a file that does not parse) is a kind of IntegrityError.
  expect(error).toBeInstanceOf({ IntegrityError, AuthError }[expected.error]);
  expect((error as VaultError).exitCode).toBe(expected.exit);
}

describe('the committed vectors', () => {
  it('are exactly what the generator makes from the manifest inputs', async () => {
    const { files } = await makeVectors();
    for (const [name, bytes] of files) expect(read(name).equals(bytes), name).toBe(true);
  });

  it('cover at least every header line, the payload, truncation and the store file', () => {
    const names = manifest.bad.map((b) => b.file);
    for (const part of ['version', 'agent', 'created', 'updated', 'owner-slot', 'token-slot', 'pub', 'index-length', 'index-nonce', 'index-', 'listing-', 'block-', 'block-of-other-agent', 'truncated', 'base64', 'extra-line', 'missing', 'empty']) {
      expect(names.some((n) => n.includes(part)), part).toBe(true);
    }
    expect(manifest.bad.filter((b) => b.kind === 'store').length).toBeGreaterThan(5);
  });
});

describe.each(manifest.good)('good vault $vault', (good) => {
  /** The index's metadata, the listing's and each block's plaintext, opened with the payload key the manifest derives. */
  function plaintexts(file: ReturnType<typeof parseVaultFile>): { meta: string; listing: string; blocks: string[] } {
    const key = Buffer.from(manifest.derived[`${good.agent}_payload_key_hex`]!, 'hex');
    const index = open(key, file.indexNonce, file.index, file.headerBytes)!;
    const meta = index.subarray(4, 4 + index.readUInt32BE(0)).toString('utf8');
    const inputs = (manifest.inputs as { agents: Array<{ agent: string; listing_nonce_hex: string; block_nonces_hex: string[] }> }).agents.find((a) => a.agent === good.agent)!;
    const nonces = inputs.block_nonces_hex;
    let offset = Buffer.byteLength(good.listing) + 16;
    const listing = open(key, Buffer.from(inputs.listing_nonce_hex, 'hex'), file.blocks.subarray(0, offset), Buffer.from(`agent-vault/v2 listing ${good.agent}`))!.toString('utf8');
    const blocks = good.blocks.map((text, i) => {
      const sealed = file.blocks.subarray(offset, offset + Buffer.byteLength(text) + 16);
      offset += sealed.length;
      return open(key, Buffer.from(nonces[i]!, 'hex'), sealed, Buffer.from(`agent-vault/v2 block ${good.agent}`))!.toString('utf8');
    });
    expect(offset).toBe(file.blocks.length);
    return { meta, listing, blocks };
  }

  it('opens with the passphrase to the exact payload', async () => {
    const { file, payload } = await (await asOwner(storeWith())).unlock(good.agent);
    expect(plaintexts(file)).toEqual({ meta: good.meta, listing: good.listing, blocks: good.blocks });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(JSON.parse(good.payload));
    // The encoder spells each listing entry as man 5 does, byte for byte.
    expect(payload.credentials.map(encodeListingEntry).join(',\n')).toBe(good.listing);
  });

  it('opens with its token to the exact payload, one credential at a time', async () => {
    const session = await asAgent(storeWith(), good.token);
    for (const c of (JSON.parse(good.payload) as { credentials: Array<{ key: string; id: string }> }).credentials) {
      expect(findCredential((await session.unlock(good.agent)).payload, c.key)).toEqual(c);
      expect(findCredential((await session.unlock(good.agent)).payload, c.id)).toEqual(c);
    }
    expect(JSON.parse(JSON.stringify((await session.unlock(good.agent)).payload))).toEqual(JSON.parse(good.payload));
  });

  it('has a key certificate that verifies with the owner key pinned in its payload and names its pub', async () => {
    const certificate = parseKeyCertificate(read(good.certificate));
    const { payload, file } = await (await asOwner(storeWith())).unlock(good.agent);
    const pinned = decodeBase64(payload.ownerSigningKey, 'owner signing key', 32);
    expect(pinned.toString('hex')).toBe(manifest.derived.owner_signing_public_key_hex);
    expect(deriveOwnerSigningKey(Buffer.from((manifest.inputs as { root_key_hex: string }).root_key_hex, 'hex')).publicKey.equals(pinned)).toBe(true);
    expect(certificate.agent).toBe(good.agent);
    expect(verifyKeyCertificate(certificate, pinned)).toBe(true);
    expect(certificate.publicKey.equals(file.header.publicKey)).toBe(true);
  });

  it('re-encodes its header to the same bytes', () => {
    const parsed = parseVaultFile(read(good.vault));
    expect(encodeVaultHeader(parsed.header, parsed.index.length, parsed.indexNonce).equals(parsed.headerBytes)).toBe(true);
  });

  it('refuses a wrong passphrase with exit 4', async () => {
    await expectFailure(asOwner(storeWith(), manifest.wrong_passphrase).then((s) => s.unlock(good.agent)), { error: 'AuthError', exit: 4 });
  });

  it('refuses a well-formed token with another secret with exit 4', async () => {
    const forged = `${good.token.slice(0, -43)}${Buffer.alloc(32, 7).toString('base64url')}`;
    await expectFailure(asAgent(storeWith(), forged).then((s) => s.unlock(good.agent)), { error: 'AuthError', exit: 4 });
  });
});

/** What a bad vector must fail: opening the vault, or (damage inside records) reading those records and reading all. */
async function expectBad(session: Promise<Session>, bad: Manifest['bad'][number], expected: Expectation): Promise<void> {
  if (!bad.records) {
    await expectFailure(session.then((s) => s.unlock(bad.agent)), expected);
    return;
  }
  const records = bad.records;
  const s = await session;
  for (const key of records.damaged) await expectFailure(s.unlock(bad.agent).then(({ payload }) => requireCredential(payload, key)), expected);
  for (const key of records.intact) expect(requireCredential((await s.unlock(bad.agent)).payload, key).key).toBe(key);
  if (records.list === 'reads') expect(listSummaries((await s.unlock(bad.agent)).payload).map((c) => c.key).sort()).toEqual([...records.damaged, ...records.intact].sort());
  else await expectFailure(s.unlock(bad.agent).then(({ payload }) => listSummaries(payload)), expected);
  await expectFailure(s.unlock(bad.agent).then(({ payload }) => payload.credentials), expected);
}

describe.each(manifest.bad)('bad $file ($about)', (bad) => {
  it(`fails for the owner with exit ${bad.owner.exit}`, async () => {
    await expectBad(asOwner(storeWith(bad)), bad, bad.owner);
  });

  if (bad.token) {
    const token = bad.token;
    it(`fails for the agent's token with exit ${token.exit}`, async () => {
      const good = manifest.good.find((g) => g.agent === bad.agent)!;
      await expectBad(asAgent(storeWith(bad), good.token), bad, token);
    });
  }
});
