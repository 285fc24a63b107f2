import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { FormatError } from '../../../src/format/format-error.js';
import { createStoreFile, encodeStoreFile, openPassphraseSlot, openStoreKeys, parseStoreFile, type StoreFile } from '../../../src/format/store-file.js';
import { emptyPayload, findCredential, setMainSecret, type VaultPayload } from '../../../src/core/vault.js';
import type { Credential } from '../../../src/core/credential.js';
import {
  encodeVaultFile,
  openVault,
  parseVaultFile,
  unwrapOwnerSlot,
  unwrapTokenSlot,
  wrapOwnerSlot,
  wrapTokenSlot,
  type VaultHeader,
} from '../../../src/format/vault-file.js';

const OWNER_KEY = randomBytes(32);
const TOKEN_SECRET = randomBytes(32);
const VAULT_KEY = randomBytes(32);

const agentId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const time = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

function header(agent: string, created: string, updated: string): VaultHeader {
  return {
    agent,
    created,
    updated,
    owner: wrapOwnerSlot(OWNER_KEY, agent, VAULT_KEY),
    token: wrapTokenSlot(TOKEN_SECRET, agent, VAULT_KEY),
    publicKey: randomBytes(32),
  };
}

const T0 = '2025-01-01T00:00:00.000Z';

/** A payload of `count` api keys, the first with a history, and a history of a deleted credential. */
function samplePayload(count = 3, agent = 'bot'): VaultPayload {
  const p = emptyPayload(agent, 'PRIVATE', 'OWNER', 'AUDIT');
  for (let i = 0; i < count; i++) setMainSecret(p, `KEY_${i}`, `secret ${i} ✓`, T0);
  p.history = { gone: [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }] };
  if (count > 0) p.history[p.credentials[0]!.id] = [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }];
  return p;
}
const SAMPLE_PAYLOAD = samplePayload();
const SAMPLE_HEADER = header('bot', T0, '2025-01-02T00:00:00.000Z');
const SAMPLE = encodeVaultFile(SAMPLE_HEADER, VAULT_KEY, SAMPLE_PAYLOAD);
/** The payload as plain data: what a full read must give back. */
const plain = (p: VaultPayload): unknown => JSON.parse(JSON.stringify(p));
const PASSPHRASE_KEY = randomBytes(32);
const SAMPLE_STORE = encodeStoreFile(createStoreFile(PASSPHRASE_KEY, { memoryKiB: 1024, iterations: 1, parallelism: 1, salt: randomBytes(16) }, OWNER_KEY, [randomBytes(32)]));

/** Whether the passphrase key opens the store file to the root key, and the root key its body. */
function opensWhole(file: StoreFile, passphraseKey: Buffer): boolean {
  const rootKey = openPassphraseSlot(file, passphraseKey);
  return rootKey !== undefined && rootKey.equals(OWNER_KEY) && openStoreKeys(file, rootKey) !== undefined;
}

/** Parses and opens as the owner would, without reading any record; returns the payload or throws. */
function openAsOwner(bytes: Buffer, agent = 'bot'): VaultPayload {
  const file = parseVaultFile(bytes);
  const vaultKey = unwrapOwnerSlot(OWNER_KEY, agent, file.header.owner);
  if (!vaultKey) throw new IntegrityError('owner slot does not open');
  return openVault(file, vaultKey);
}

/** A full read (what list, search, every write and every vault-wide command do): every record decrypted. */
const readAll = (bytes: Buffer): unknown => plain(openAsOwner(bytes));

/** Edits that damage a file: overwrite bytes, cut it, insert or delete bytes. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(file: Buffer, edits: Mutation[]): Buffer {
  let out = Buffer.from(file);
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    if (edit.kind === 'overwrite') {
      out = Buffer.concat([out.subarray(0, at), Buffer.from(edit.bytes), out.subarray(at + edit.bytes.length)]);
    } else if (edit.kind === 'flip') {
      if (out.length > 0) out[at % out.length]! ^= 1 << edit.bit;
    } else if (edit.kind === 'cut') {
      out = out.subarray(0, at);
    } else if (edit.kind === 'insert') {
      out = Buffer.concat([out.subarray(0, at), Buffer.from(edit.bytes), out.subarray(at)]);
    } else {
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
    }
  }
  return out;
}

/** Runs `fn`, allowing only errors of `allowed`: never a TypeError, RangeError or the like. */
function onlyThrows<T>(allowed: new (...args: never[]) => Error, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    expect(err).toBeInstanceOf(allowed);
    return undefined;
  }
}

describe('vault file', () => {
  const credential = fc.record({
    key: fc.stringMatching(/^[A-Z][A-Z0-9]{0,20}$/),
    id: fc.stringMatching(/^[0-9a-f]{16}$/),
    value: fc.string({ maxLength: 40, unit: 'grapheme' }),
    name: fc.string({ maxLength: 10 }),
    versions: fc.option(fc.constant(null).map(() => [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }]), { nil: undefined }),
  });

  it('open(seal(x)) = x for any agent, times and payload, by both slots, and each credential is found alone', () => {
    fc.assert(
      fc.property(agentId, time, time, fc.uniqueArray(credential, { selector: (c) => c.key, maxLength: 12 }), fc.boolean(), (agent, created, updated, cs, orphan) => {
        fc.pre(new Set(cs.map((c) => c.id)).size === cs.length);
        const h = header(agent, created, updated);
        const p = emptyPayload(agent, 'PRIVATE', 'OWNER', 'AUDIT');
        p.credentials = cs.map((c): Credential => ({ id: c.id, key: c.key, type: 'api_key', name: c.name, tags: [], uris: [], fields: { value: c.value }, created: T0, updated: T0 }));
        const history = Object.fromEntries(cs.filter((c) => c.versions).map((c) => [c.id, c.versions!]));
        if (orphan) history.gone = [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }];
        if (Object.keys(history).length > 0) p.history = history;
        const parsed = parseVaultFile(encodeVaultFile(h, VAULT_KEY, p));
        expect(parsed.header).toEqual(h);
        expect(unwrapOwnerSlot(OWNER_KEY, agent, parsed.header.owner)?.equals(VAULT_KEY)).toBe(true);
        expect(unwrapTokenSlot(TOKEN_SECRET, agent, parsed.header.token)?.equals(VAULT_KEY)).toBe(true);
        for (const c of p.credentials) {
          expect(findCredential(openVault(parsed, VAULT_KEY), c.key)).toEqual(c);
          expect(findCredential(openVault(parsed, VAULT_KEY), c.id)).toEqual(c);
        }
        expect(plain(openVault(parsed, VAULT_KEY))).toEqual(plain(p));
      }),
      { numRuns: 200 },
    );
  });

  it("a slot never opens under another agent's name", () => {
    fc.assert(
      fc.property(agentId, agentId, (a, b) => {
        fc.pre(a !== b);
        const h = header(a, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
        expect(unwrapOwnerSlot(OWNER_KEY, b, h.owner)).toBeUndefined();
        expect(unwrapTokenSlot(TOKEN_SECRET, b, h.token)).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('random bytes never crash the parser: they parse or throw a FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        onlyThrows(FormatError, () => parseVaultFile(Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('random header-like text never crashes the parser', () => {
    const line = fc.oneof(
      fc.constantFrom('agent-vault/v2', 'agent: bot', 'created: 2025-01-01T00:00:00.000Z', 'slot owner A B', 'pub AAAA', 'index: 16', '--- AAAA', ''),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.uint8Array({ maxLength: 40 }), (lines, tail) => {
        onlyThrows(FormatError, () => parseVaultFile(Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from(tail)])));
      }),
      { numRuns: 500 },
    );
  });

  it('a mutated file fails with an integrity error, or opens to the very same payload', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        const damaged = mutate(SAMPLE, edits);
        const payload = onlyThrows(IntegrityError, () => readAll(damaged));
        if (payload !== undefined) {
          expect(damaged.equals(SAMPLE)).toBe(true);
          expect(payload).toEqual(plain(SAMPLE_PAYLOAD));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('every single-bit flip anywhere in the file is detected', () => {
    for (let at = 0; at < SAMPLE.length; at++) {
      for (const bit of [0, 7]) {
        const damaged = Buffer.from(SAMPLE);
        damaged[at]! ^= 1 << bit;
        expect(() => readAll(damaged), `byte ${at} bit ${bit}`).toThrow(IntegrityError);
      }
    }
  });
});

describe('store file', () => {
  it('round-trips and verifies only its own owner key', () => {
    const parsed = parseStoreFile(SAMPLE_STORE);
    expect(encodeStoreFile(parsed).equals(SAMPLE_STORE)).toBe(true);
    expect(opensWhole(parsed, PASSPHRASE_KEY)).toBe(true);
    expect(opensWhole(parsed, randomBytes(32))).toBe(false);
    expect(openStoreKeys(parsed, OWNER_KEY)).toHaveLength(1);
  });

  it('random bytes never crash the parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyThrows(FormatError, () => parseStoreFile(Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('a mutated store file fails to parse, or no longer verifies the owner key unless unchanged', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (edits) => {
        const damaged = mutate(SAMPLE_STORE, edits);
        const parsed = onlyThrows(FormatError, () => parseStoreFile(damaged));
        if (parsed && opensWhole(parsed, PASSPHRASE_KEY)) expect(encodeStoreFile(parsed).equals(SAMPLE_STORE)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
