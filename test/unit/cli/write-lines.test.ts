/**
 * Output written in large chunks (render.ts writeLines) rather than once per row: the
 * same text, in far fewer writes; and `credential list` of a large vault prints every
 * row whole, once, in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IO } from '../../../src/cli/io.js';
import { writeLines } from '../../../src/cli/render.js';
import { openVault } from '../../../src/index.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

function recordingIO(): { io: IO; writes: string[] } {
  const writes: string[] = [];
  return { io: { out: (text: string) => writes.push(text) } as unknown as IO, writes };
}

describe('writeLines', () => {
  it('writes 10,000 lines in a few writes of about 64 KiB, the text unchanged', () => {
    const { io, writes } = recordingIO();
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    writeLines(io, items, (i) => `KEY_${i}\tname ${i}\tpassword\t2025-01-01T00:00:00.000Z\n`);
    expect(writes.join('')).toBe(items.map((i) => `KEY_${i}\tname ${i}\tpassword\t2025-01-01T00:00:00.000Z\n`).join(''));
    expect(writes.length).toBeLessThan(10);
    for (const chunk of writes.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
    // Each write ends a line: a reader never sees half a row at a chunk's end.
    for (const chunk of writes) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('writes nothing for no lines', () => {
    const { io, writes } = recordingIO();
    writeLines(io, [], () => 'never\n');
    expect(writes).toEqual([]);
  });
});

describe('credential list of a large vault, piped', () => {
  let store: TempStore;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  it('prints every credential on one whole line, once, in key order, across several chunks', async () => {
    const values: Record<string, string> = {};
    // Long values, shown by --reveal, make the output span several 64 KiB writes.
    for (let i = 0; i < 250; i += 1) values[`KEY_${String(i).padStart(4, '0')}`] = `value-${i}-${'v'.repeat(600)}`;
    await openVault({ store: store.location, passphrase: PASSPHRASE, agent: 'bot', env: store.env }).set(values);
    const result = await store.owner(['credential', 'list', '--agent', 'bot', '--reveal']);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(2 * 64 * 1024);
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(Object.keys(values));
    for (const line of lines) expect(line.split('\t')).toContain(values[line.split('\t')[0]!]);
  });
});
