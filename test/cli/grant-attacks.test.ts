/**
 * Grants against an attacker that runs as the store's OS user (so it reads and writes
 * every file of the store) but holds only its own token, or none: it must neither
 * receive a grant addressed to another agent nor make one that agent accepts.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';
import { deriveSubkey, sealWithNonce } from '../../src/format/aead.js';
import { encodeBase64 } from '../../src/format/encoding.js';
import { generateAgentKeyPair, openGrant, parseGrantFile, sealGrant, type GrantMeta } from '../../src/format/grant-file.js';
import { deriveOwnerSigningKey, encodeKeyCertificate, parseKeyCertificate } from '../../src/format/key-certificate.js';
import { parseVaultFile } from '../../src/format/vault-file.js';

const VALUE = 'granted-value-6f1c';
const FORGED = 'forged-value-attacker-9e0d';
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Writes a forged grant where the grantee looks for grants from bot1. */
function plantGrant(store: TempStore, bytes: Buffer): void {
  mkdirSync(join(store.dir, 'grants', 'bot2'), { recursive: true, mode: 0o700 });
  writeFileSync(join(store.dir, 'grants', 'bot2', 'bot1.API_KEY.grant'), bytes);
}

/** The grant files addressed to `grantee`, as paths. */
function grantsTo(store: TempStore, grantee: string): string[] {
  const dir = join(store.dir, 'grants', grantee);
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
}

/** Rewrites the `pub` line of an agent's vault header; returns the original bytes, to restore them. */
function rewriteHeaderPub(store: TempStore, agent: string, publicKey: Buffer): Buffer {
  const path = join(store.dir, 'vaults', `${agent}.vault`);
  const original = readFileSync(path);
  const start = original.indexOf('\npub ') + 1;
  const end = original.indexOf('\n', start);
  writeFileSync(path, Buffer.concat([original.subarray(0, start), Buffer.from(`pub ${encodeBase64(publicKey)}`), original.subarray(end)]));
  return original;
}

function headerPub(store: TempStore, agent: string): Buffer {
  return parseVaultFile(readFileSync(join(store.dir, 'vaults', `${agent}.vault`))).header.publicKey;
}

function certificatePath(store: TempStore, agent: string): string {
  return join(store.dir, 'keys', `${agent}.pub`);
}

function grantHeader(meta: GrantMeta, ephemeral: Buffer, nonce: Buffer): Buffer {
  return Buffer.from(
    `agent-vault-grant/v1\nfrom: ${meta.from}\nto: ${meta.to}\nkey: ${meta.key}\ncreated: ${meta.created}\nexpires: never\neph ${encodeBase64(ephemeral)}\n--- ${encodeBase64(nonce)}\n`,
  );
}

/** A grant sealed anonymously to `granteePublic` (ephemeral X25519 only), as anyone who knows that key can make one. */
function forgeAnonymousGrant(meta: GrantMeta, granteePublic: Buffer, plaintext: Buffer): Buffer {
  const pair = generateKeyPairSync('x25519');
  const ephemeral = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const granteeKey = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, granteePublic]), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: pair.privateKey, publicKey: granteeKey });
  const key = deriveSubkey(shared, Buffer.concat([ephemeral, granteePublic]), 'agent-vault/v1 grant');
  const nonce = randomBytes(12);
  const header = grantHeader(meta, ephemeral, nonce);
  return Buffer.concat([header, sealWithNonce(key, nonce, plaintext, header)]);
}

describe('grants against a same-user attacker', () => {
  let store: TempStore;
  let bot1: string;
  let bot2: string;
  const readAs = (token: string) => store.agent(token, ['credential', 'get', 'API_KEY', '--agent', 'bot1']);

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    bot2 = await store.provision('bot2');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('reports a directory planted where a grant file belongs as damage (exit 6), not a crash', async () => {
    mkdirSync(join(store.dir, 'grants', 'bot2', 'bot1.API_KEY.grant'), { recursive: true });
    const read = await store.agent(bot2, ['credential', 'get', 'API_KEY', '--agent', 'bot1']);
    expect(read.code).toBe(6);
    expect(read.stderr).toContain('is not a grant file');
    expect(read.stderr).not.toContain('    at ');
    // Listing its own vault needs no grant: the bad one is left out with a warning, not a failure.
    const list = await store.agent(bot2, ['credential', 'list']);
    expect(list.code).toBe(0);
    expect(list.stderr).toMatch(/^warning: left out the grant of API_KEY from agent bot1: .*is not a grant file/m);
    expect(list.stdout).not.toContain('API_KEY');
  });

  it("does not seal a grant to a key written into the grantee's vault header", async () => {
    const attacker = generateAgentKeyPair();
    const honestKey = headerPub(store, 'bot2');
    const original = rewriteHeaderPub(store, 'bot2', attacker.publicKey);

    const byOwner = await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    expect(byOwner.code).toBe(6);
    expect(byOwner.stderr).toContain('agent bot2');
    const byAgent = await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2']);
    expect(byAgent.code).toBe(6);
    expect(grantsTo(store, 'bot2')).toEqual([]);
    expect(JSON.parse((await store.agent(bot1, ['grant', 'list', '--json'])).stdout)).toEqual([]);

    // Restored, the grant goes to the certified key: the attacker's key opens nothing.
    writeFileSync(join(store.dir, 'vaults', 'bot2.vault'), original);
    expect((await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2'])).code).toBe(0);
    const [file] = grantsTo(store, 'bot2');
    const bot1Key = parseKeyCertificate(readFileSync(certificatePath(store, 'bot1'))).publicKey;
    expect(openGrant(parseGrantFile(readFileSync(file!)), attacker.privateKey, bot1Key)).toBeUndefined();
    expect(parseKeyCertificate(readFileSync(certificatePath(store, 'bot2'))).publicKey.equals(honestKey)).toBe(true);
    expect(await readAs(bot2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
  });

  it('ends, rather than re-seals, a live grant when the header is rewritten before an update', async () => {
    const attacker = generateAgentKeyPair();
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(0);
    const original = rewriteHeaderPub(store, 'bot2', attacker.publicKey);
    expect((await store.agent(bot1, ['credential', 'set', 'API_KEY=-'], { input: 'new-value-after-attack' })).code).toBe(0);
    expect(grantsTo(store, 'bot2')).toEqual([]);
    writeFileSync(join(store.dir, 'vaults', 'bot2.vault'), original);
    expect((await readAs(bot2)).code).toBe(5);
  });

  it('refuses a missing, tampered, moved or self-signed certificate with exit 6 naming the agent', async () => {
    const bot2Certificate = readFileSync(certificatePath(store, 'bot2'));
    const attacker = generateAgentKeyPair();
    const attackerSigner = deriveOwnerSigningKey(randomBytes(32));
    const text = bot2Certificate.toString('latin1');
    const pubLine = /\npub (\S+)\n/.exec(text)![1]!;
    const variants: Array<[string, Buffer | undefined]> = [
      ['missing', undefined],
      ['tampered', Buffer.from(text.replace(pubLine, encodeBase64(attacker.publicKey)), 'latin1')],
      ['moved', readFileSync(certificatePath(store, 'bot1'))],
      ['self-signed', encodeKeyCertificate('bot2', attacker.publicKey, attackerSigner)],
      ['truncated', bot2Certificate.subarray(0, 30)],
    ];
    for (const [what, bytes] of variants) {
      if (bytes) writeFileSync(certificatePath(store, 'bot2'), bytes);
      else rmSync(certificatePath(store, 'bot2'));
      for (const result of [await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']), await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2'])]) {
        expect(result.code, what).toBe(6);
        expect(result.stderr, what).toContain('agent bot2');
      }
      expect(grantsTo(store, 'bot2'), what).toEqual([]);
    }
    writeFileSync(certificatePath(store, 'bot2'), bot2Certificate);
    expect((await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2'])).code).toBe(0);
    expect(await readAs(bot2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });

    // The grantee checks the granter's certificate as well.
    writeFileSync(certificatePath(store, 'bot1'), encodeKeyCertificate('bot1', attacker.publicKey, attackerSigner));
    const read = await readAs(bot2);
    expect(read.code).toBe(6);
    expect(read.stderr).toContain('agent bot1');
    expect(read.stdout).toBe('');
  });

  it('refuses an expired grant put back after it was swept, and one whose expiry was edited out', async () => {
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1', '--expires', '1h'])).code).toBe(0);
    const [file] = grantsTo(store, 'bot2');
    const saved = readFileSync(file!);
    store.clock.advance(2 * 3_600_000);
    expect((await readAs(bot2)).code).toBe(5);
    expect(grantsTo(store, 'bot2')).toEqual([]);

    plantGrant(store, saved);
    const replayed = await readAs(bot2);
    expect(replayed).toMatchObject({ code: 5, stdout: '' });
    expect(replayed.stderr).toContain('has expired');
    expect(grantsTo(store, 'bot2')).toEqual([]);

    // The expiry is part of the sealed header: rewriting it to never opens nothing.
    const unlimited = Buffer.from(saved.toString('latin1').replace(/\nexpires: [^\n]+\n/, '\nexpires: never\n'), 'latin1');
    expect(unlimited.equals(saved)).toBe(false);
    plantGrant(store, unlimited);
    const forged = await readAs(bot2);
    expect(forged.code).toBe(6);
    expect(forged.stdout).toBe('');
    expect(forged.stderr).not.toContain(VALUE);
  });

  describe('a grant forged with only the grantee public key', () => {
    const META: GrantMeta = { from: 'bot1', to: 'bot2', key: 'API_KEY', created: '2025-01-01T00:00:00.000Z' };
    const plaintext = Buffer.from(JSON.stringify({ id: '0123456789abcdef', key: 'API_KEY', type: 'api_key', name: '', tags: [], uris: [], fields: { value: FORGED }, created: META.created, updated: META.created }));
    const forgeries: Array<[string, (granteePublic: Buffer) => Buffer]> = [
      ['sealed anonymously', (granteePublic) => forgeAnonymousGrant(META, granteePublic, plaintext)],
      ["sealed with the attacker's own static key", (granteePublic) => sealGrant(META, generateAgentKeyPair().privateKey, granteePublic, plaintext)],
    ];

    it.each(forgeries)('is refused when %s: credential get prints nothing and exits 6', async (_how, forge) => {
      plantGrant(store, forge(headerPub(store, 'bot2')));
      const result = await readAs(bot2);
      expect(result.code).toBe(6);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain(FORGED);
      expect((await store.agent(bot2, ['credential', 'list', '--json'])).stdout).not.toContain(FORGED);
    });

    it.each(forgeries)('is refused when %s: exec --env-file starts nothing', async (_how, forge) => {
      plantGrant(store, forge(headerPub(store, 'bot2')));
      const marker = join(store.root, 'started');
      const refs = join(store.root, 'refs.env');
      writeFileSync(refs, 'DB=av://bot1/API_KEY\n');
      const result = await store.agent(bot2, ['exec', '--env-file', refs, '--', 'sh', '-c', `echo "$DB" > ${marker}`]);
      expect(result.code).toBe(6);
      expect(existsSync(marker)).toBe(false);
    });
  });
});

describe('agent key certificates across the lifecycle', () => {
  let store: TempStore;
  let bot1: string;
  let bot2: string;
  const readAs = (token: string, key = 'API_KEY') => store.agent(token, ['credential', 'get', key, '--agent', 'bot1']);
  const certifiedKey = (agent: string): Buffer => parseKeyCertificate(readFileSync(certificatePath(store, agent))).publicKey;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    bot2 = await store.provision('bot2');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot1'], { input: 'other-value-51b7' })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('certifies each agent at provisioning, as the header names it, in a 0600 file', () => {
    for (const agent of ['bot1', 'bot2']) {
      expect(certifiedKey(agent).equals(headerPub(store, agent))).toBe(true);
      expect(readFileSync(certificatePath(store, agent), 'latin1')).toMatch(new RegExp(`^agent-vault-key/v1\nagent: ${agent}\npub \\S{43}\nsig \\S{86}\n$`));
      expect(statSync(certificatePath(store, agent)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(store.dir, 'keys')).mode & 0o777).toBe(0o700);
  });

  it('certifies the new key on token rotation; grants keep working after rotating the grantee and the granter', async () => {
    expect((await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2'])).code).toBe(0);
    const before = certifiedKey('bot2');
    const rotated2 = (await store.owner(['token', 'rotate', 'bot2'])).stdout.trim();
    expect(certifiedKey('bot2').equals(before)).toBe(false);
    expect(certifiedKey('bot2').equals(headerPub(store, 'bot2'))).toBe(true);
    expect(await readAs(rotated2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    // The granter's agent seals to the re-certified key too.
    expect((await store.agent(bot1, ['grant', 'OTHER', '--to', 'bot2'])).code).toBe(0);
    expect(await readAs(rotated2, 'OTHER')).toMatchObject({ code: 0, stdout: 'other-value-51b7\n' });

    const rotated1 = (await store.owner(['token', 'rotate', 'bot1'])).stdout.trim();
    expect(certifiedKey('bot1').equals(headerPub(store, 'bot1'))).toBe(true);
    expect((await readAs(rotated2)).code).toBe(5);
    expect((await store.agent(rotated1, ['grant', 'API_KEY', '--to', 'bot2'])).code).toBe(0);
    expect(await readAs(rotated2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
  });

  it('removes the certificate on deprovisioning', async () => {
    expect((await store.owner(['deprovision', 'bot2', '--yes'])).code).toBe(0);
    expect(existsSync(certificatePath(store, 'bot2'))).toBe(false);
    expect(existsSync(certificatePath(store, 'bot1'))).toBe(true);
  });

  it('reads and writes its own vault without looking at any certificate', async () => {
    rmSync(join(store.dir, 'keys'), { recursive: true });
    expect(await store.agent(bot1, ['credential', 'get', 'API_KEY'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect((await store.agent(bot1, ['credential', 'set', 'API_KEY=-'], { input: 'changed-value-0c3a' })).code).toBe(0);
    expect((await store.agent(bot2, ['credential', 'list'])).code).toBe(0);
  });
});
