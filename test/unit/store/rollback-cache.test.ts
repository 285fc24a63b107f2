/** The rollback cache: a lower generation or a shorter log is a going-back; a new incarnation of a log is not. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RollbackCache } from '../../../src/store/rollback-cache.js';

describe('RollbackCache', () => {
  let dir: string;
  const env = (): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: dir });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('remembers across processes (a new instance reads the file) and reports an object going back', () => {
    expect(new RollbackCache('postgres://a', env()).object('vaults/bot', 7)).toBeUndefined();
    const later = new RollbackCache('postgres://a', env());
    expect(later.object('vaults/bot', 7)).toBeUndefined();
    expect(later.object('vaults/bot', 9)).toBeUndefined();
    expect(new RollbackCache('postgres://a', env()).object('vaults/bot', 8)).toEqual({ what: 'vaults/bot', seen: 'generation 9', found: 'generation 8' });
    expect(statSync(later.file).mode & 0o777).toBe(0o600);
  });

  it('keeps stores apart, and notes nothing until `later` runs it (a transaction that never commits)', () => {
    const pending: Array<() => void> = [];
    const cache = new RollbackCache('postgres://a', env());
    cache.object('vaults/bot', 5, (save) => pending.push(save));
    expect(new RollbackCache('postgres://a', env()).object('vaults/bot', 1)).toBeUndefined();
    expect(new RollbackCache('postgres://b', env()).object('vaults/bot', 1)).toBeUndefined();
  });

  it('calls a shorter log of the same incarnation, or an older incarnation, a going-back, but not a new incarnation', () => {
    const cache = new RollbackCache('postgres://a', env());
    expect(cache.log('audit.jsonl', { generation: 3, seq: 10 })).toBeUndefined();
    expect(cache.log('audit.jsonl', { generation: 3, seq: 9 })?.found).toBe('9 lines (incarnation 3)');
    expect(cache.log('audit.jsonl', { generation: 2, seq: 50 })).toBeDefined();
    expect(cache.log('audit.jsonl', { generation: 4, seq: 1 })).toBeUndefined();
  });
});
