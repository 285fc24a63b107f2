import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { generateAgentKeyPair } from '../../../src/format/grant-file.js';
import { deriveOwnerSigningKey, encodeKeyCertificate, parseKeyCertificate, verifyKeyCertificate } from '../../../src/format/key-certificate.js';

const OWNER_KEY = Buffer.alloc(32, 7);

describe('key certificate', () => {
  const signer = deriveOwnerSigningKey(OWNER_KEY);
  const agentKey = generateAgentKeyPair().publicKey;
  const good = encodeKeyCertificate('bot2', agentKey, signer);

  it('derives the same signing key from the same owner key, and another from another', () => {
    expect(deriveOwnerSigningKey(Buffer.from(OWNER_KEY)).publicKey).toEqual(signer.publicKey);
    expect(deriveOwnerSigningKey(Buffer.alloc(32, 8)).publicKey).not.toEqual(signer.publicKey);
  });

  it('verifies with the owner verify key and names the agent and its key', () => {
    const parsed = parseKeyCertificate(good);
    expect(parsed).toMatchObject({ agent: 'bot2', publicKey: agentKey });
    expect(verifyKeyCertificate(parsed, signer.publicKey)).toBe(true);
    expect(good.toString('latin1').split('\n')[0]).toBe('agent-vault-key/v1');
  });

  it('does not verify with another owner key, or a verify key of the wrong length', () => {
    expect(verifyKeyCertificate(parseKeyCertificate(good), deriveOwnerSigningKey(Buffer.alloc(32, 9)).publicKey)).toBe(false);
    expect(verifyKeyCertificate(parseKeyCertificate(good), Buffer.alloc(31))).toBe(false);
  });

  it.each([
    ['the agent', (t: string) => t.replace('agent: bot2', 'agent: bot3')],
    ['the public key', (t: string) => t.replace(/\npub ./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`)],
    ['the signature', (t: string) => t.replace(/\nsig ./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`)],
  ])('fails verification when %s is changed', (_what, edit) => {
    const parsed = parseKeyCertificate(Buffer.from(edit(good.toString('latin1')), 'latin1'));
    expect(verifyKeyCertificate(parsed, signer.publicKey)).toBe(false);
  });

  it('rejects other versions and malformed files as integrity errors', () => {
    const text = good.toString('latin1');
    for (const bad of [
      text.replace('key/v1', 'key/v2'),
      text.replace('agent: bot2', 'agent: Bot2'),
      text.replace('pub ', 'pub  '),
      text.replace(/\nsig (\S+)\n/, (_m, sig: string) => `\nsig ${sig}==\n`),
      text.slice(0, -1),
      `${text}extra\n`,
      text.replaceAll('\n', '\r\n'),
      text.slice(0, 40),
      '',
    ]) {
      expect(() => parseKeyCertificate(Buffer.from(bad, 'latin1')), JSON.stringify(bad)).toThrow(IntegrityError);
    }
  });

  it('refuses to certify an invalid agent id or a key of the wrong length', () => {
    expect(() => encodeKeyCertificate('Bad!', agentKey, signer)).toThrow(IntegrityError);
    expect(() => encodeKeyCertificate('bot2', Buffer.alloc(31), signer)).toThrow(IntegrityError);
  });

  it('never crashes on a changed byte: it parses or throws an integrity error, and verifies only unchanged (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = Buffer.from(good);
        bytes[at] = byte;
        try {
          expect(verifyKeyCertificate(parseKeyCertificate(bytes), signer.publicKey) === false || bytes.equals(good)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(IntegrityError);
        }
      }),
    );
  });
});
