import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSubkey, open, seal, sealWithNonce, TAG_LENGTH } from '../../../src/format/aead.js';
import { decodeBase64, encodeBase64 } from '../../../src/format/encoding.js';
import { FormatError } from '../../../src/format/format-error.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const data = fc.uint8Array({ maxLength: 512 });

describe('aead', () => {
  it('open(seal(x)) = x, and the box is the plaintext plus a 16-byte tag', () => {
    fc.assert(
      fc.property(key, data, data, (k, plaintext, aad) => {
        const { nonce, sealed } = seal(k, plaintext, aad);
        expect(sealed.length).toBe(plaintext.length + TAG_LENGTH);
        expect(open(k, nonce, sealed, aad)?.equals(Buffer.from(plaintext))).toBe(true);
      }),
    );
  });

  it('sealWithNonce is seal under the given nonce', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 12, maxLength: 12 }), data, data, (k, nonce, plaintext, aad) => {
        expect(open(k, nonce, sealWithNonce(k, nonce, plaintext, aad), aad)?.equals(Buffer.from(plaintext))).toBe(true);
      }),
    );
  });

  it('never seals twice under the same nonce', () => {
    const k = Buffer.alloc(32, 1);
    const nonces = new Set(Array.from({ length: 1000 }, () => seal(k, Buffer.alloc(0), Buffer.alloc(0)).nonce.toString('hex')));
    expect(nonces.size).toBe(1000);
  });

  it('a changed bit of the box, nonce, additional data or key fails to open', () => {
    fc.assert(
      fc.property(key, data, data, fc.constantFrom('sealed', 'nonce', 'aad', 'key'), fc.nat(), fc.integer({ min: 0, max: 7 }), (k, plaintext, aad, part, at, bit) => {
        const { nonce, sealed } = seal(k, plaintext, aad);
        const parts = { sealed, nonce, aad: Buffer.from(aad), key: Buffer.from(k) };
        const target = parts[part];
        fc.pre(target.length > 0);
        target[at % target.length]! ^= 1 << bit;
        expect(open(parts.key, parts.nonce, parts.sealed, parts.aad)).toBeUndefined();
      }),
    );
  });

  it('a cut box or a nonce of the wrong length fails to open without throwing', () => {
    fc.assert(
      fc.property(key, data, fc.nat(), fc.uint8Array({ maxLength: 24 }), (k, plaintext, cut, badNonce) => {
        const { nonce, sealed } = seal(k, plaintext, Buffer.alloc(0));
        expect(open(k, nonce, sealed.subarray(0, cut % sealed.length), Buffer.alloc(0))).toBeUndefined();
        fc.pre(badNonce.length !== 12);
        expect(open(k, badNonce, sealed, Buffer.alloc(0))).toBeUndefined();
      }),
    );
  });

  it('subkeys differ by info and by salt', () => {
    fc.assert(
      fc.property(key, fc.string(), fc.string(), (ikm, a, b) => {
        fc.pre(a !== b);
        expect(deriveSubkey(ikm, Buffer.alloc(0), a).equals(deriveSubkey(ikm, Buffer.alloc(0), b))).toBe(false);
      }),
    );
  });
});

describe('canonical base64', () => {
  it('decode(encode(b)) = b, unpadded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).not.toContain('=');
        expect(decodeBase64(text, 'x').equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('any text either decodes to bytes that encode back to it, or is a FormatError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw+/_-=\n Zaz09é'.split('')), maxLength: 30 }), (text) => {
        try {
          expect(encodeBase64(decodeBase64(text, 'x'))).toBe(text);
        } catch (err) {
          expect(err).toBeInstanceOf(FormatError);
        }
      }),
    );
  });
});
