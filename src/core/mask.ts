/**
 * Masking of secret values in a byte stream, for `exec --mask`. Streamed: a value split
 * across chunks is still found, because a tail that could be the start of a value is
 * held back until the next chunk (or the end) decides it. At each position the longest
 * value that matches is replaced, so the output does not depend on how the stream was
 * cut into chunks. Pure: works on bytes, knows no streams.
 */

/** What every masked value becomes. */
export const MASK = Buffer.from('****');

export class Masker {
  private readonly values: Buffer[];
  private readonly firstBytes: Set<number>;
  private pending: Buffer = Buffer.alloc(0);

  /** `values` to hide; empty ones are ignored. */
  constructor(values: Iterable<string | Uint8Array>) {
    const unique = new Map<string, Buffer>();
    for (const v of values) {
      const bytes = Buffer.from(v);
      if (bytes.length > 0) unique.set(bytes.toString('hex'), bytes);
    }
    // Longest first, so the first full match at a position is the longest one.
    this.values = [...unique.values()].sort((a, b) => b.length - a.length);
    this.firstBytes = new Set(this.values.map((v) => v[0]!));
  }

  /** Masks the next chunk; returns what can be written now. */
  push(chunk: Uint8Array): Buffer {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    return this.scan(false);
  }

  /** Masks and returns whatever was held back; call once at the end of the stream. */
  flush(): Buffer {
    return this.scan(true);
  }

  private scan(final: boolean): Buffer {
    const buf = this.pending;
    const out: Buffer[] = [];
    let start = 0;
    let i = 0;
    while (i < buf.length) {
      if (!this.firstBytes.has(buf[i]!)) {
        i++;
        continue;
      }
      const remaining = buf.length - i;
      let match = 0;
      let undecided = false;
      for (const value of this.values) {
        if (value.length <= remaining) {
          if (match === 0 && buf.compare(value, 0, value.length, i, i + value.length) === 0) match = value.length;
        } else if (!final && buf.compare(value, 0, remaining, i, buf.length) === 0) {
          undecided = true;
          break;
        }
      }
      if (undecided) break;
      if (match > 0) {
        out.push(buf.subarray(start, i), MASK);
        i += match;
        start = i;
      } else {
        i++;
      }
    }
    out.push(buf.subarray(start, i));
    this.pending = Buffer.from(buf.subarray(i));
    return Buffer.concat(out);
  }
}
