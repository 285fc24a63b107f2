/**
 * Writes of a few credentials through an untouched payload's overlay (format/vault-file.ts,
 * man/agent-vault.5 WRITING) must give the file a full read-modify-write gives. Seeded
 * random sequences of set, add, rename, delete and copy, several to one write, are run
 * on a payload left untouched and, as the oracle, on a plain list; after each write the
 * file read back (by key, whole, and its listing) must hold exactly the oracle's list.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredential } from '../../../src/core/credential.js';
import { copyCredential } from '../../../src/core/copy.js';
import { UsageError } from '../../../src/core/errors.js';
import { addCredential, changeCredential, emptyPayload, findCredential, listSummaries, removeCredential, setMainSecrets, untouchedSource, type VaultPayload } from '../../../src/core/vault.js';
import { encodeVaultFile, openVault, parseVaultFile, unwrapOwnerSlot, wrapOwnerSlot, wrapTokenSlot, type VaultHeader } from '../../../src/format/vault-file.js';

const OWNER_KEY = randomBytes(32);
const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';

function openAs(bytes: Buffer): VaultPayload {
  const file = parseVaultFile(bytes);
  return openVault(file, unwrapOwnerSlot(OWNER_KEY, 'bot', file.header.owner)!);
}

/** A small deterministic generator (mulberry32), so a failing sequence can be run again. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Model = Array<{ key: string; value: string }>;

/** One random change to `p`, applied to `model` the way a full read-modify-write would. */
function step(p: VaultPayload, model: Model, rnd: () => number, fresh: () => string): void {
  const pick = (): string => (model.length > 0 && rnd() < 0.8 ? model[Math.floor(rnd() * model.length)]!.key : fresh());
  const at = (k: string): number => model.findIndex((c) => c.key === k);
  const op = Math.floor(rnd() * 6);
  if (op === 0) {
    // Now and then a value of ~3 KiB, so a block reaches its 64 KiB before its 64 records.
    const pairs: Array<[string, string]> = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => [pick(), `v${Math.floor(rnd() * 1e9)}`.padEnd(rnd() < 0.3 ? 3000 : 0, 'x')]);
    setMainSecrets(p, pairs, T1);
    for (const [k, v] of pairs) {
      const i = at(k);
      if (i >= 0) model[i]!.value = v;
      else model.push({ key: k, value: v });
    }
  } else if (op === 1) {
    const k = pick();
    const v = `a${Math.floor(rnd() * 1e9)}`;
    if (at(k) >= 0) expect(() => addCredential(p, k, 'api_key', { fields: { value: v } }, T1)).toThrow(UsageError);
    else {
      addCredential(p, k, 'api_key', { fields: { value: v } }, T1);
      model.push({ key: k, value: v });
    }
  } else if (op === 2 && model.length > 0) {
    const from = pick();
    const to = pick();
    if (at(from) < 0) return;
    if (to !== from && at(to) >= 0) expect(() => changeCredential(p, from, { rename: to }, T1)).toThrow(UsageError);
    else {
      changeCredential(p, from, { rename: to }, T1);
      model[at(from)]!.key = to;
    }
  } else if (op === 3 && model.length > 0) {
    const k = pick();
    if (at(k) < 0) return;
    removeCredential(p, k);
    model.splice(at(k), 1);
  } else if (op === 5 && model.length > 0 && rnd() < 0.3) {
    // A run of neighbours deleted in one write: it can empty a first or middle block.
    const first = Math.floor(rnd() * model.length);
    for (const { key } of model.splice(first, 1 + Math.floor(rnd() * 70))) removeCredential(p, key);
  } else if (op === 4 && model.length > 0) {
    const from = pick();
    const to = pick();
    const i = at(from);
    if (i < 0 || from === to) return;
    const source = findCredential(p, from)!;
    if (at(to) >= 0) {
      copyCredential(p, source, to, T1, { force: true });
      model[at(to)]!.value = model[i]!.value;
    } else {
      copyCredential(p, source, to, T1);
      model.push({ key: to, value: model[i]!.value });
    }
  }
}

/** The file holds exactly `model`: read whole, by key one at a time, and through its listing. */
function expectHolds(bytes: Buffer, model: Model, gone: readonly string[]): void {
  const whole = openAs(bytes).credentials.map((c) => ({ key: c.key, value: c.fields.value! }));
  expect(whole).toEqual(model);
  const one = openAs(bytes);
  for (const { key, value } of model) expect(findCredential(openAs(bytes), key)?.fields.value, key).toBe(value);
  for (const key of gone) if (!model.some((c) => c.key === key)) expect(findCredential(one, key), key).toBeUndefined();
  const full = openAs(bytes);
  expect(full.credentials).toHaveLength(model.length);
  // The listing (no block decrypted) is the records' summaries (every block decrypted).
  expect(listSummaries(openAs(bytes))).toEqual(listSummaries(full));
}

describe('a write through the overlay gives the file a full read-modify-write gives', () => {
  for (const [seed, start] of [
    [1, 130],
    [2, 64],
    [3, 1],
    [4, 0],
    [5, 127],
    [6, 65],
    [7, 200],
    [8, 300],
  ] as const) {
    it(`seed ${seed}, ${start} credentials to start, 60 writes of 1-4 changes`, () => {
      const rnd = prng(seed);
      let n = 0;
      const fresh = (): string => `NEW_${seed}_${n++}`;
      const payload = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
      const model: Model = [];
      for (let i = 0; i < start; i++) {
        const key = `K_${String(i).padStart(4, '0')}`;
        payload.credentials.push(createCredential(key, 'api_key', { fields: { value: `v-${key}` } }, T0));
        model.push({ key, value: `v-${key}` });
      }
      const vaultKey = randomBytes(32);
      const head: VaultHeader = { agent: 'bot', created: T0, updated: T0, owner: wrapOwnerSlot(OWNER_KEY, 'bot', vaultKey), token: wrapTokenSlot(randomBytes(32), 'bot', vaultKey), publicKey: randomBytes(32) };
      let bytes = encodeVaultFile(head, vaultKey, payload);
      const seen = new Set(model.map((c) => c.key));
      for (let w = 0; w < 60; w++) {
        const p = openAs(bytes);
        const changes = 1 + Math.floor(rnd() * 4);
        // Now and then the change reads every credential half way (as a bulk set does): the rest of it runs on the loaded payload.
        const loadAt = rnd() < 0.15 ? Math.floor(rnd() * changes) : -1;
        for (let c = 0; c < changes; c++) {
          if (c === loadAt) expect(p.credentials.map((x) => x.key)).toEqual(model.map((x) => x.key));
          step(p, model, rnd, fresh);
        }
        if (loadAt < 0) {
          expect(untouchedSource(p), `write ${w}`).toBeDefined();
          // What the payload lists before the write is what the written file lists.
          expect(listSummaries(p)).toEqual(listSummaries(openAs(encodeVaultFile(head, vaultKey, p))));
        }
        for (const c of model) seen.add(c.key);
        bytes = encodeVaultFile(head, vaultKey, p);
        expectHolds(bytes, model, [...seen]);
      }
    });
  }
});
