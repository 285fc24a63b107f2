import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceFile, writeNewFile } from '../../../src/store/atomic.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent-vault-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('replaceFile', () => {
  it('creates a 0600 file, then replaces it keeping the previous generation as .bak', () => {
    const path = join(dir, 'a.vault');
    replaceFile(path, Buffer.from('one'), { backup: true });
    expect(readdirSync(dir)).toEqual(['a.vault']);
    replaceFile(path, Buffer.from('two'), { backup: true });
    replaceFile(path, Buffer.from('three'), { backup: true });
    expect(readFileSync(path, 'utf8')).toBe('three');
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('two');
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}.bak`)).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['a.vault', 'a.vault.bak']);
  });

  it('without backup leaves no .bak', () => {
    const path = join(dir, 'a.vault');
    replaceFile(path, Buffer.from('one'), { backup: false });
    replaceFile(path, Buffer.from('two'), { backup: false });
    expect(readdirSync(dir)).toEqual(['a.vault']);
  });

  it('on a failed rename keeps the old file and leaves no temporary file', () => {
    const path = join(dir, 'a.vault');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    expect(() => replaceFile(path, Buffer.from('new'), { backup: false })).toThrow();
    expect(readdirSync(dir)).toEqual(['a.vault']);
    expect(readdirSync(path)).toEqual(['inside']);
  });

  it('on a failed backup keeps the old file and leaves no temporary file', () => {
    const path = join(dir, 'a.vault');
    replaceFile(path, Buffer.from('old'), { backup: true });
    // A non-empty directory where the backup goes makes keeping the backup fail.
    mkdirSync(`${path}.bak`);
    writeFileSync(join(`${path}.bak`, 'inside'), 'x');
    expect(() => replaceFile(path, Buffer.from('new'), { backup: true })).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['a.vault', 'a.vault.bak']);
  });
});

describe('writeNewFile', () => {
  it('writes a 0600 file and refuses to overwrite one', () => {
    const path = join(dir, 'token');
    writeNewFile(path, Buffer.from('secret'));
    expect(mode(path)).toBe(0o600);
    expect(() => writeNewFile(path, Buffer.from('other'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(path, 'utf8')).toBe('secret');
  });
});
