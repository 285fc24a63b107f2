/**
 * The write points of src/store/fs-ops.ts: the only store module that changes the disk
 * (so every write is a fault point), and none of them follows a link or leaves a mode
 * to the umask.
 */
import { closeSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFile, makeDir, openAppend, writeAll } from '../../../src/store/fs-ops.js';

const STORE_SRC = resolve(import.meta.dirname, '../../../src/store');

/** node:fs functions that change the disk. */
const MUTATING = /^(append|chmod|chown|copyFile|cp|fchmod|fchown|fdatasync|fsync|ftruncate|futimes|lchmod|lchown|link|lutimes|mkdir|mkdtemp|rename|rm|rmdir|symlink|truncate|unlink|utimes|write|writeFile|writev|createWriteStream)(Sync)?$/;

function fsImports(file: string): string[] {
  const text = readFileSync(join(STORE_SRC, file), 'utf8');
  return [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(?:node:)?fs(?:\/promises)?'/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((name) => name.trim().split(/\s+as\s+/)[0]!)
      .filter((name) => name !== '' && !name.startsWith('type ')),
  );
}

describe('the store writes only through fs-ops.ts', () => {
  it('no other store module imports a node:fs function that writes', () => {
    const files = readdirSync(STORE_SRC).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['atomic.ts', 'directory-backend.ts', 'lock.ts', 'fs-guard.ts', 'fs-ops.ts']));
    // fault.ts appends its trace, a test's file outside any store, and is compiled out of the shipped CLI.
    const offenders = files.filter((f) => f !== 'fs-ops.ts' && f !== 'fault.ts').flatMap((f) => fsImports(f).filter((n) => MUTATING.test(n)).map((n) => `${f}: ${n}`));
    expect(offenders).toEqual([]);
    expect(fsImports('fs-ops.ts').filter((n) => MUTATING.test(n)).length).toBeGreaterThan(5);
  });

  it('opens files elsewhere only to read them', () => {
    for (const file of readdirSync(STORE_SRC).filter((f) => f.endsWith('.ts') && f !== 'fs-ops.ts')) {
      const opens = [...readFileSync(join(STORE_SRC, file), 'utf8').matchAll(/openSync\(([^)]*)\)/g)].map((m) => m[1]!);
      for (const args of opens) expect(args, `${file}: openSync(${args})`).toMatch(/O_RDONLY/);
    }
  });
});

describe('write points', () => {
  let dir: string;
  let umask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-fs-ops-'));
    umask = process.umask(0o277);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('create files 0600 and directories 0700 whatever the umask', () => {
    const fd = createFile(join(dir, 'file'));
    writeAll(fd, join(dir, 'file'), Buffer.from('x'));
    closeSync(fd);
    makeDir(join(dir, 'sub'));
    expect(statSync(join(dir, 'file')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    process.umask(0o777);
    closeSync(createFile(join(dir, 'other')));
    makeDir(join(dir, 'sub2'));
    expect(statSync(join(dir, 'other')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub2')).mode & 0o777).toBe(0o700);
  });

  it('never write through a link planted at the name', () => {
    const outside = join(dir, 'outside');
    writeFileSync(outside, 'keep');
    symlinkSync(outside, join(dir, 'planted'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(() => createFile(join(dir, 'planted'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => createFile(join(dir, 'dangling'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => openAppend(join(dir, 'planted'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(lstatSync(join(dir, 'nowhere'), { throwIfNoEntry: false })).toBeUndefined();
  });
});
