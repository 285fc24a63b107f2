import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Masker } from '../../../src/core/mask.js';

function maskChunks(values: string[], chunks: Uint8Array[]): string {
  const masker = new Masker(values);
  return Buffer.concat([...chunks.map((c) => masker.push(c)), masker.flush()]).toString('latin1');
}

function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

// A small alphabet makes values and their partial matches collide often.
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\n', 'é'), maxLength: 60 });
const value = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é'), minLength: 1, maxLength: 6 });

describe('Masker', () => {
  it('replaces each value with ****', () => {
    expect(maskChunks(['s3cret'], [Buffer.from('token=s3cret; again s3cret.')])).toBe('token=****; again ****.');
  });

  it('finds a value split across chunks, even one byte at a time', () => {
    const input = Buffer.from('xx s3cret yy');
    expect(maskChunks(['s3cret'], [...input].map((b) => Buffer.from([b])))).toBe('xx **** yy');
  });

  it('holds back a possible start of a value only until the next chunk decides it', () => {
    const masker = new Masker(['secret']);
    expect(masker.push(Buffer.from('a sec')).toString()).toBe('a ');
    expect(masker.push(Buffer.from('ond')).toString()).toBe('second');
    expect(masker.flush().toString()).toBe('');
  });

  it('prefers the longest value at a position', () => {
    expect(maskChunks(['abc', 'abcdef'], [Buffer.from('abcde'), Buffer.from('f abc')])).toBe('**** ****');
  });

  it('passes output through unchanged with nothing to mask, and ignores empty values', () => {
    expect(maskChunks([''], [Buffer.from('plain')])).toBe('plain');
  });

  it('gives the same output however the stream is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), text, fc.array(fc.nat(), { maxLength: 8 }), (values, input, cuts) => {
        const bytes = Buffer.from(input);
        expect(maskChunks(values, cut(bytes, cuts))).toBe(maskChunks(values, [bytes]));
      }),
    );
  });

  it('never lets a value through (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.array(fc.oneof(text, value), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (values, parts, cuts) => {
        const out = maskChunks(values, cut(Buffer.from(parts.join('')), cuts));
        for (const v of values) expect(out.includes(Buffer.from(v).toString('latin1'))).toBe(false);
      }),
    );
  });

  it('keeps text without values byte for byte (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('x', 'y', '\n'), maxLength: 50 }), fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
        expect(maskChunks(['abc'], cut(Buffer.from(input), cuts))).toBe(input);
      }),
    );
  });
});
