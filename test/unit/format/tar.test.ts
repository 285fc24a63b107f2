import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTar, parseTar } from '../../../src/format/tar.js';
import { skipWithout } from '../../helpers/tools.js';

const LONG = `grants/${'g'.repeat(64)}/${'a'.repeat(64)}.${'K'.repeat(64)}`;
const entries = [
  { name: 'store', bytes: Buffer.from('agent-vault-store/v1\n') },
  { name: 'logs/vaults/bot.audit.jsonl', bytes: Buffer.alloc(0) },
  { name: LONG, bytes: Buffer.alloc(1300, 7) },
];

describe('ustar archives', () => {
  it('reads back what it writes, names longer than 100 bytes included', () => {
    expect(parseTar(encodeTar(entries, new Date(0)))).toEqual(entries);
  });

  it('refuses a changed header, a cut archive, bytes after the end and a name with ..', () => {
    const archive = encodeTar(entries, new Date(0));
    const changed = Buffer.from(archive);
    changed[3] ^= 1;
    expect(() => parseTar(changed)).toThrow(/checksum/);
    expect(() => parseTar(archive.subarray(0, archive.length - 1024))).toThrow(/end marker|cut short/);
    expect(() => parseTar(Buffer.concat([archive, Buffer.from('x')]))).toThrow(/after its end/);
    expect(() => parseTar(encodeTar([{ name: 'vaults/../store', bytes: Buffer.alloc(1) }], new Date(0)))).toThrow(/bad name/);
    expect(() => parseTar(encodeTar([entries[0]!, entries[0]!], new Date(0)))).toThrow(/twice/);
  });

  it.skipIf(skipWithout('tar'))('is an archive GNU tar lists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-vault-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar'), encodeTar(entries, new Date()));
      const listing = spawnSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' });
      expect(listing.stderr).toBe('');
      expect(listing.stdout.split('\n').filter(Boolean)).toEqual(entries.map((e) => e.name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
