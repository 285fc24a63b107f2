import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Masker } from '../../../src/core/mask.js';

/** A chunk of output: which stream (0 stdout, 1 stderr) and its bytes. */
type Event = [stream: number, bytes: Uint8Array];

/**
 * Runs `events` through one masker of two streams, ending stdout then stderr. Returns
 * each stream's output and the combined log: every piece in the order it was written out.
 */
function maskEvents(values: string[], events: Event[]): { out: string; err: string; combined: string } {
  const masker = new Masker(values, 2);
  const written: Array<[number, Buffer]> = [];
  const take = (pieces: Buffer[]): void => pieces.forEach((piece, stream) => written.push([stream, piece]));
  for (const [stream, bytes] of events) take(masker.push(stream, bytes));
  take(masker.end(0));
  take(masker.end(1));
  const of = (stream: number): string => Buffer.concat(written.filter(([s]) => s === stream).map(([, b]) => b)).toString('latin1');
  return { out: of(0), err: of(1), combined: Buffer.concat(written.map(([, b]) => b)).toString('latin1') };
}

/** One stream only: the chunks on stdout. */
function maskChunks(values: string[], chunks: Uint8Array[]): string {
  return maskEvents(
    values,
    chunks.map((c) => [0, c]),
  ).out;
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

const b = (text: string): Buffer => Buffer.from(text);

// A small alphabet makes values and their partial matches collide often.
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\n', 'é'), maxLength: 60 });
const value = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é'), minLength: 1, maxLength: 6 });
const events = fc.array(fc.tuple(fc.constantFrom(0, 1), fc.oneof(text, value)), { maxLength: 8 });

describe('Masker, one stream', () => {
  it('replaces each value with ****', () => {
    expect(maskChunks(['s3cret'], [b('token=s3cret; again s3cret.')])).toBe('token=****; again ****.');
  });

  it('finds a value split across chunks, even one byte at a time', () => {
    const input = b('xx s3cret yy');
    expect(maskChunks(['s3cret'], [...input].map((byte) => Buffer.from([byte])))).toBe('xx **** yy');
  });

  it('holds back a possible start of a value only until the next chunk decides it', () => {
    const masker = new Masker(['secret']);
    expect(masker.push(0, b('a sec'))[0]!.toString()).toBe('a ');
    expect(masker.push(0, b('ond'))[0]!.toString()).toBe('second');
    expect(masker.end(0)[0]!.toString()).toBe('');
  });

  it('masks a value that ends the output, and lets a mere start of one through at the end', () => {
    expect(maskChunks(['secret'], [b('a secret')])).toBe('a ****');
    expect(maskChunks(['secret', 'secretive'], [b('a secret')])).toBe('a ****');
    expect(maskChunks(['secret'], [b('a secre')])).toBe('a secre');
  });

  it('masks overlapping values and a value inside a longer one as one run', () => {
    expect(maskChunks(['abc', 'abcdef'], [b('abcde'), b('f abc')])).toBe('**** ****');
    expect(maskChunks(['abab'], [b('ababab!')])).toBe('****!');
  });

  it('passes output through unchanged with nothing to mask, and ignores empty values', () => {
    expect(maskChunks([''], [b('plain')])).toBe('plain');
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

describe('Masker, stdout and stderr', () => {
  it('masks a value split across the two streams, in each of them', () => {
    const result = maskEvents(['exec-value-5b7d1'], [
      [0, b('x exec-val')],
      [1, b('ue-5b7d1 y')],
    ]);
    expect(result).toEqual({ out: 'x ****', err: '**** y', combined: 'x **** y****' });
  });

  it('masks a value whole in one stream while the other wrote in between', () => {
    expect(maskEvents(['secret'], [
      [0, b('sec')],
      [1, b('log line\n')],
      [0, b('ret!')],
    ])).toEqual({ out: '****!', err: 'log line\n', combined: 'log line\n****!' });
  });

  it('holds back only the stream that may be starting a value', () => {
    const masker = new Masker(['secret'], 2);
    expect(masker.push(0, b('a se')).map(String)).toEqual(['a ', '']);
    expect(masker.push(1, b('progress 10%\n')).map(String)).toEqual(['', 'progress 10%\n']);
    expect(masker.end(0).map(String)).toEqual(['se', '']);
    expect(masker.end(1).map(String)).toEqual(['', '']);
  });

  it('holds a start of a value at the end of one stream until the other has ended too', () => {
    const masker = new Masker(['secret'], 2);
    expect(masker.push(0, b('a sec')).map(String)).toEqual(['a ', '']);
    expect(masker.end(0).map(String)).toEqual(['', '']);
    expect(masker.push(1, b('ret')).map(String)).toEqual(['****', '****']);
  });

  it('gives the same output however each stream is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), events, fc.array(fc.nat(), { maxLength: 6 }), (values, parts, cuts) => {
        const whole: Event[] = parts.map(([s, t]) => [s, Buffer.from(t)]);
        const pieces: Event[] = whole.flatMap(([s, bytes]) => cut(Buffer.from(bytes), cuts).map((c): Event => [s, c]));
        const [a, c] = [maskEvents(values, whole), maskEvents(values, pieces)];
        expect([c.out, c.err]).toEqual([a.out, a.err]);
      }),
    );
  });

  it('masks exactly the bytes of every value in each stream and in the order of arrival (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), events, (values, parts) => {
        const whole: Event[] = parts.map(([s, t]) => [s, Buffer.from(t)]);
        const result = maskEvents(values, whole);
        expect([result.out, result.err]).toEqual(reference(values, whole));
        for (const v of values) {
          const latin1 = Buffer.from(v).toString('latin1');
          expect(result.out.includes(latin1) || result.err.includes(latin1)).toBe(false);
        }
      }),
    );
  });
});

/**
 * The masking rule, written plainly: a byte is masked when it is inside an occurrence
 * of a value in its own stream or in the order of arrival; each stream's run of
 * masked bytes becomes one ****.
 */
function reference(values: string[], events: Event[]): [string, string] {
  const bytes: number[] = [];
  const streams: number[] = [];
  for (const [stream, chunk] of events) {
    for (const byte of chunk) {
      bytes.push(byte);
      streams.push(stream);
    }
  }
  const masked = bytes.map(() => false);
  const markIn = (positions: number[]): void => {
    const seq = Buffer.from(positions.map((i) => bytes[i]!));
    for (const v of values.map((x) => Buffer.from(x))) {
      for (let p = 0; p + v.length <= seq.length; p++) if (seq.subarray(p, p + v.length).equals(v)) for (let j = p; j < p + v.length; j++) masked[positions[j]!] = true;
    }
  };
  const all = bytes.map((_, i) => i);
  markIn(all);
  const output = (stream: number): string => {
    const mine = all.filter((i) => streams[i] === stream);
    markIn(mine);
    return mine.map((i, k) => (masked[i] ? (k > 0 && masked[mine[k - 1]!] ? '' : '****') : String.fromCharCode(bytes[i]!))).join('');
  };
  return [output(0), output(1)];
}
