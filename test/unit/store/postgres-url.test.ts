/**
 * postgres:// store locations read as libpq reads them, with PG* defaults, our schema
 * and store parameters, and the password never taken from (or shown with) the URL.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { resolveStoreLocation } from '../../../src/store/open.js';
import { databasePassword, isPostgresUrl, parsePostgresUrl } from '../../../src/store/postgres-url.js';

describe('postgres:// store locations', () => {
  it('reads a socket URL, taking unset parts from PG* variables, and shows it without a password', () => {
    const where = parsePostgresUrl('postgres:///vaults?host=/run/postgresql', { PGUSER: 'vault', PGPORT: '5433' });
    expect(where).toMatchObject({ host: '/run/postgresql', port: 5433, database: 'vaults', user: 'vault', schema: 'agent_vault', store: 'default', sslmode: 'disable' });
    expect(where.display).toBe('postgres://vault@/vaults?host=/run/postgresql&port=5433&schema=agent_vault&store=default');
  });

  it('reads user, host, port, database, schema and store from a TCP URL, and libpq\'s empty host after a user', () => {
    expect(parsePostgresUrl('postgresql://ci@db.internal:6543/team?schema=av&store=ci-1&sslmode=require', {})).toMatchObject({
      host: 'db.internal',
      port: 6543,
      database: 'team',
      user: 'ci',
      schema: 'av',
      store: 'ci-1',
      sslmode: 'require',
    });
    expect(parsePostgresUrl('postgres://ci@/team?host=/tmp/s', {})).toMatchObject({ host: '/tmp/s', user: 'ci', database: 'team' });
    expect(parsePostgresUrl('postgres://[::1]:5432/d', { PGUSER: 'u' })).toMatchObject({ host: '::1', port: 5432 });
  });

  it.each([
    ['postgres://u:secret-pw@host/db', /must not hold a password/],
    ['postgres:///db?schema=Bad-Name', /schema must be a lowercase SQL name/],
    ['postgres:///db?store=a/b', /store must be/],
    ['postgres:///db?port=99999', /port/],
    ['postgres:///db?sslmode=maybe', /sslmode/],
    ['postgres:///db?options=-c', /unknown parameter "options"/],
  ])('refuses %s with exit 2, never echoing a password', (url, message) => {
    let caught: unknown;
    try {
      parsePostgresUrl(url, { PGUSER: 'u' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toMatch(message);
    expect(`${(caught as UsageError).message} ${(caught as UsageError).hint}`).not.toContain('secret-pw');
  });

  it('keeps a URL as it is where a directory would be made absolute', () => {
    expect(isPostgresUrl('postgres:///x')).toBe(true);
    expect(isPostgresUrl('./postgres')).toBe(false);
    expect(resolveStoreLocation('postgres:///x?host=/s', {})).toBe('postgres:///x?host=/s');
    expect(resolveStoreLocation(undefined, { AGENT_VAULT_HOME: 'postgresql://h/d' })).toBe('postgresql://h/d');
  });

  it('takes the password from PGPASSWORD, else a matching line of a 0600 PGPASSFILE, else none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-vault-pgpass-'));
    try {
      const file = join(dir, 'pgpass');
      writeFileSync(file, '# comment\nother:*:*:*:no\nlocalhost:5432:vaults:vault:pa\\:ss\n', { mode: 0o600 });
      const where = parsePostgresUrl('postgres://vault@/vaults?host=/run/pg', {});
      expect(databasePassword(where, { PGPASSWORD: 'from-env', PGPASSFILE: file })).toBe('from-env');
      expect(databasePassword(where, { PGPASSFILE: file })).toBe('pa:ss');
      expect(databasePassword(parsePostgresUrl('postgres://other@/vaults?host=/run/pg', {}), { PGPASSFILE: file })).toBeUndefined();
      chmodSync(file, 0o644);
      expect(databasePassword(where, { PGPASSFILE: file })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
