/**
 * Masking of secret values in a program's output, for `exec --mask`. The output is one
 * or more byte streams (stdout and stderr) that usually end up in one place: a
 * terminal, or a log that a CI runner or `2>&1` combines. So a value is masked
 * wherever it occurs in one stream, and also where it occurs in the *combined* order
 * in which the streams' bytes arrived (its first half on stdout and its second half on
 * stderr). Streamed: a tail that could still become a value (in its own stream, or in
 * the combined order) is held back until more bytes, or the end, decide it; every
 * other byte goes out at once, to the stream it came from. Each run of masked bytes in
 * a stream becomes one `****`, so the output does not depend on how the streams were
 * cut into chunks. Pure: works on bytes, knows no streams.
 *
 * The limit: a byte held back in one stream goes out after bytes that arrived later on
 * the other, so a combined log shows the two in the order they were written out, which
 * is not always the order in which they arrived and were checked.
 */

/** What every masked run becomes. */
export const MASK = Buffer.from('****');

/** One stream's bytes not yet written out, from stream position `base` on. */
interface Pending {
  bytes: Buffer;
  covered: Uint8Array;
  base: number;
  /** Where its own undecided tail begins: bytes from here on may still start a value. */
  ownTail: number;
  ended: boolean;
  /** Whether the last byte written out was masked, so that one run gives one MASK. */
  inMask: boolean;
}

/** A byte of the combined order: which stream, at which position of it. */
interface Ref {
  stream: number;
  at: number;
}

export class Masker {
  private readonly values: Buffer[];
  private readonly firstBytes: Set<number>;
  private readonly streams: Pending[];
  /** The combined order's undecided tail, shorter than the longest value. */
  private combinedTail: Ref[] = [];

  /** `values` to hide (empty ones are ignored), in output made of `streams` streams. */
  constructor(values: Iterable<string | Uint8Array>, streams = 1) {
    const unique = new Map<string, Buffer>();
    for (const v of values) {
      const bytes = Buffer.from(v);
      if (bytes.length > 0) unique.set(bytes.toString('hex'), bytes);
    }
    this.values = [...unique.values()];
    this.firstBytes = new Set(this.values.map((v) => v[0]!));
    this.streams = Array.from({ length: streams }, () => ({ bytes: Buffer.alloc(0), covered: new Uint8Array(0), base: 0, ownTail: 0, ended: false, inMask: false }));
  }

  /** Takes the next chunk of `stream`; returns what each stream can write out now. */
  push(stream: number, chunk: Uint8Array): Buffer[] {
    const s = this.streams[stream]!;
    if (s.ended) throw new Error(`stream ${stream} has ended`);
    const start = s.base + s.bytes.length;
    s.bytes = Buffer.concat([s.bytes, chunk]);
    const covered = new Uint8Array(s.bytes.length);
    covered.set(s.covered);
    s.covered = covered;
    // In its own stream: from where its undecided tail began.
    const from = s.ownTail - s.base;
    s.ownTail += this.scan(s.bytes.subarray(from), (i) => (s.covered[from + i] = 1));
    // In the combined order: the combined tail, then this chunk.
    const tail = this.combinedTail;
    const refAt = (i: number): Ref => (i < tail.length ? tail[i]! : { stream, at: start + i - tail.length });
    const combined = Buffer.concat([Buffer.from(tail.map((r) => this.byteAt(r))), chunk]);
    const decided = this.scan(combined, (i) => this.cover(refAt(i)));
    this.combinedTail = Array.from({ length: combined.length - decided }, (_, i) => refAt(decided + i));
    return this.writeOut();
  }

  /** `stream` has ended: its own tail is decided; returns what each stream can write out now. */
  end(stream: number): Buffer[] {
    const s = this.streams[stream]!;
    s.ended = true;
    s.ownTail = s.base + s.bytes.length;
    // A value cannot be completed once every stream has ended.
    if (this.streams.every((p) => p.ended)) this.combinedTail = [];
    return this.writeOut();
  }

  private byteAt(ref: Ref): number {
    const s = this.streams[ref.stream]!;
    return s.bytes[ref.at - s.base]!;
  }

  private cover(ref: Ref): void {
    const s = this.streams[ref.stream]!;
    s.covered[ref.at - s.base] = 1;
  }

  /**
   * Marks (through `mark`) every byte of `buf` inside an occurrence of a value, and
   * returns how many leading bytes are decided: those before the first position from
   * which the rest of `buf` is a proper start of a value.
   */
  private scan(buf: Buffer, mark: (index: number) => void): number {
    let undecided = buf.length;
    for (let i = 0; i < buf.length; i++) {
      if (!this.firstBytes.has(buf[i]!)) continue;
      const remaining = buf.length - i;
      for (const value of this.values) {
        if (value.length <= remaining) {
          if (buf.compare(value, 0, value.length, i, i + value.length) === 0) for (let j = 0; j < value.length; j++) mark(i + j);
        } else if (undecided === buf.length && buf.compare(value, 0, remaining, i, buf.length) === 0) {
          undecided = i;
        }
      }
    }
    return undecided;
  }

  /**
   * Writes out, for each stream, the bytes that neither its own tail nor the combined
   * tail holds back, each masked run as one MASK.
   */
  private writeOut(): Buffer[] {
    return this.streams.map((s, index) => {
      const held = this.combinedTail.find((r) => r.stream === index);
      const until = Math.min(s.ownTail, held === undefined ? Infinity : held.at) - s.base;
      const out: Buffer[] = [];
      let plain = 0;
      for (let i = 0; i < until; i++) {
        if (s.covered[i] === 0) continue;
        out.push(s.bytes.subarray(plain, i));
        if (!(s.inMask && i === plain)) out.push(MASK);
        s.inMask = true;
        plain = i + 1;
      }
      if (plain < until) {
        out.push(s.bytes.subarray(plain, until));
        s.inMask = false;
      }
      s.bytes = Buffer.from(s.bytes.subarray(until));
      s.covered = s.covered.slice(until);
      s.base += until;
      return Buffer.concat(out);
    });
  }
}
