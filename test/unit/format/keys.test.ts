/**
 * The key map (src/format/keys.ts): it derives the keys the committed vectors record
 * (which test/helpers/make-vectors.ts derives on its own, from the man page), every key
 * is separated from every other, and no other file of src/ derives a key or spells an
 * info string.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deriveGrantFileKey,
  deriveOwnerSigningSeed,
  derivePayloadKey,
  deriveJournalKey,
  deriveRekeyJournalKey,
  deriveSessionKey,
  deriveStoreAuditKey,
  deriveStoreKeysKey,
  deriveTokenSlotKey,
  HKDF_INFO,
  PASSPHRASE_KEY_ARGON2ID,
} from '../../../src/format/keys.js';
import { deriveOwnerSigningKey } from '../../../src/format/key-certificate.js';
import type { Manifest } from '../../helpers/make-vectors.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'test/vectors/manifest.json'), 'utf8')) as Manifest;
const hex = (text: string): Buffer => Buffer.from(text, 'hex');

interface AgentInputs {
  agent: string;
  vault_key_hex: string;
  token_secret_hex: string;
  token_slot_salt_hex: string;
}

describe('the key map', () => {
  const agents = (manifest.inputs as { agents: AgentInputs[] }).agents;

  it.each(agents)('derives the payload and token slot keys the vectors record for $agent', (a) => {
    expect(derivePayloadKey(hex(a.vault_key_hex)).toString('hex')).toBe(manifest.derived[`${a.agent}_payload_key_hex`]);
    expect(deriveTokenSlotKey(hex(a.token_secret_hex), a.agent, hex(a.token_slot_salt_hex)).toString('hex')).toBe(manifest.derived[`${a.agent}_token_slot_key_hex`]);
  });

  it('derives the owner signing key the vectors pin from the root key, from its seed', () => {
    const rootKey = hex((manifest.inputs as { root_key_hex: string }).root_key_hex);
    expect(deriveOwnerSigningSeed(rootKey)).toHaveLength(32);
    expect(deriveOwnerSigningKey(rootKey).publicKey.toString('hex')).toBe(manifest.derived.owner_signing_public_key_hex);
  });

  it('derives the store keys key and the store audit key the vectors record from the root key', () => {
    const rootKey = hex((manifest.inputs as { root_key_hex: string }).root_key_hex);
    expect(deriveStoreKeysKey(rootKey).toString('hex')).toBe(manifest.derived.store_keys_key_hex);
    expect(deriveStoreAuditKey(rootKey).toString('hex')).toBe(manifest.derived.store_audit_key_hex);
  });

  it('gives every key its own info string, so one secret never yields the same key twice', () => {
    const infos = Object.values(HKDF_INFO).map((info) => (typeof info === 'function' ? info('bot1') : info));
    expect(new Set(infos).size).toBe(infos.length);
    const secret = Buffer.alloc(32, 1);
    const keys = [
      derivePayloadKey(secret),
      deriveTokenSlotKey(secret, 'bot1', Buffer.alloc(0)),
      deriveTokenSlotKey(secret, 'bot2', Buffer.alloc(0)),
      deriveOwnerSigningSeed(secret),
      deriveStoreAuditKey(secret),
      deriveStoreKeysKey(secret),
      deriveJournalKey(secret),
      deriveRekeyJournalKey(secret),
      deriveSessionKey(secret),
      deriveGrantFileKey({ ephemeralShare: secret, staticShare: Buffer.alloc(0), ephemeral: Buffer.alloc(0), grantee: Buffer.alloc(0), granter: Buffer.alloc(0) }),
    ].map((key) => key.toString('hex'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('binds the grant file key to all three public keys', () => {
    const share = Buffer.alloc(32, 2);
    const base = { ephemeralShare: share, staticShare: share, ephemeral: Buffer.alloc(32, 3), grantee: Buffer.alloc(32, 4), granter: Buffer.alloc(32, 5) };
    const key = deriveGrantFileKey(base).toString('hex');
    for (const swap of [{ grantee: base.granter, granter: base.grantee }, { ephemeral: base.grantee, grantee: base.ephemeral }]) {
      expect(deriveGrantFileKey({ ...base, ...swap }).toString('hex')).not.toBe(key);
    }
  });

  it('describes the passphrase key as Argon2id version 19 giving 32 bytes, as the store file names it', () => {
    expect(PASSPHRASE_KEY_ARGON2ID).toEqual({ version: 19, length: 32 });
    expect(readFileSync(join(ROOT, 'test/vectors/store'), 'latin1')).toContain('$argon2id$v=19$');
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/', () => {
  const files = sources(join(ROOT, 'src')).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

  it('has its sources where this test looks', () => {
    expect(files.map((f) => f.path)).toContain('src/format/keys.ts');
    expect(files.length).toBeGreaterThan(30);
  });

  it('spells an HKDF info string nowhere but in src/format/keys.ts', () => {
    // An info string is "agent-vault/v<n> <purpose>"; the bare version line "agent-vault/v1" is not one.
    const info = /agent-vault\/v\d+ [a-z]/;
    const offenders = files.filter((f) => f.path !== 'src/format/keys.ts' && info.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('derives keys with HKDF nowhere but in src/format/keys.ts (and the primitive in aead.ts)', () => {
    const offenders = files
      .filter((f) => !['src/format/keys.ts', 'src/format/aead.ts'].includes(f.path) && /\bderiveSubkey\b|\bhkdf(Sync)?\b/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
