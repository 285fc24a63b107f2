import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { generateAgentKeyPair, openGrant, parseGrantFile, sealGrant, type GrantMeta } from '../../../src/format/grant-file.js';

const META: GrantMeta = { from: 'bot1', to: 'bot2', key: 'API_KEY', created: '2025-01-01T00:00:00.000Z', expires: '2025-01-08T00:00:00.000Z' };
const PLAINTEXT = Buffer.from('{"key":"API_KEY","fields":{"value":"s3cret"}}');

describe('grant file', () => {
  const granter = generateAgentKeyPair();
  const grantee = generateAgentKeyPair();
  const other = generateAgentKeyPair();
  const seal = (meta: GrantMeta = META, to: Buffer = grantee.publicKey): Buffer => sealGrant(meta, granter.privateKey, to, PLAINTEXT);

  it('opens with the grantee key and the granter public key, and returns the credential', () => {
    const file = parseGrantFile(seal());
    expect(file.meta).toEqual(META);
    expect(openGrant(file, grantee.privateKey, granter.publicKey)).toEqual(PLAINTEXT);
  });

  it('does not open as made by any other granter: knowing the grantee public key does not let anyone forge a grant', () => {
    const forged = parseGrantFile(sealGrant(META, other.privateKey, grantee.publicKey, PLAINTEXT));
    expect(openGrant(forged, grantee.privateKey, granter.publicKey)).toBeUndefined();
    expect(openGrant(parseGrantFile(seal()), grantee.privateKey, other.publicKey)).toBeUndefined();
  });

  it('refuses a low-order (all-zero) granter public key when opening', () => {
    expect(openGrant(parseGrantFile(seal()), grantee.privateKey, Buffer.alloc(32))).toBeUndefined();
  });

  it('writes "expires: never" for a grant without expiry and reads it back', () => {
    const forever: GrantMeta = { ...META };
    delete forever.expires;
    const bytes = seal(forever);
    expect(bytes.toString('latin1')).toContain('\nexpires: never\n');
    expect(parseGrantFile(bytes).meta).toEqual(forever);
  });

  it('holds no plaintext', () => {
    expect(seal().includes(Buffer.from('s3cret'))).toBe(false);
  });

  it('does not open with any other key', () => {
    expect(openGrant(parseGrantFile(seal()), other.privateKey, granter.publicKey)).toBeUndefined();
  });

  it.each([
    ['the expiry', 'expires: 2025-01-08', 'expires: 2099-01-08'],
    ['the grantee', 'to: bot2', 'to: bot3'],
    ['the granter', 'from: bot1', 'from: bot9'],
    ['the key', 'key: API_KEY', 'key: API_KEZ'],
  ])('fails authentication when %s is changed', (_what, from, to) => {
    const bytes = Buffer.from(seal().toString('latin1').replace(from, to), 'latin1');
    expect(openGrant(parseGrantFile(bytes), grantee.privateKey, granter.publicKey)).toBeUndefined();
  });

  it('fails authentication when any byte of the sealed part changes', () => {
    const bytes = seal();
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1]! ^= 1;
    expect(openGrant(parseGrantFile(flipped), grantee.privateKey, granter.publicKey)).toBeUndefined();
  });

  it('refuses a low-order (all-zero) public key', () => {
    expect(() => seal(META, Buffer.alloc(32))).toThrow(IntegrityError);
  });

  it('rejects other versions and malformed headers as integrity errors', () => {
    const text = seal().toString('latin1');
    for (const bad of [text.replace('grant/v1', 'grant/v2'), text.replace('from: bot1', 'from: Bot1'), text.replace('eph ', 'eph  '), text.slice(0, 40), '']) {
      expect(() => parseGrantFile(Buffer.from(bad, 'latin1'))).toThrow(IntegrityError);
    }
  });

  it('never crashes on random bytes: it parses or throws an integrity error (property)', () => {
    const valid = seal();
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = Buffer.from(valid);
        bytes[at] = byte;
        try {
          const file = parseGrantFile(bytes);
          const opened = openGrant(file, grantee.privateKey, granter.publicKey);
          expect(opened === undefined || bytes.equals(valid)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(IntegrityError);
        }
      }),
    );
  });
});
