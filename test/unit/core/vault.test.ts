import { describe, expect, it } from 'vitest';
import { IntegrityError, NotFoundError, UsageError } from '../../../src/core/errors.js';
import {
  addCredential,
  changeCredential,
  emptyPayload,
  encodePayload,
  findCredential,
  listCredentials,
  parsePayload,
  removeCredential,
  requireCredential,
  searchCredentials,
  setMainSecret,
  type VaultPayload,
} from '../../../src/core/vault.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-06-01T00:00:00.000Z';

function sample(): VaultPayload {
  const p = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
  addCredential(p, 'GITHUB', 'login', { name: 'Code host', tags: ['scm'], uris: ['https://github.com'], fields: { username: 'octo', password: 'hunter2' } }, T0);
  addCredential(p, 'NOTES', 'secure_note', { fields: { notes: 'the vault is in github' } }, T0);
  setMainSecret(p, 'API_KEY', 'sk-secret-github', T0);
  return p;
}

describe('setMainSecret', () => {
  it('creates an api_key, then replaces its value keeping id and created', () => {
    const p = emptyPayload('bot', 'K', 'O', 'A');
    const first = setMainSecret(p, 'TOKEN', 'one', T0);
    expect(first.created).toBe(true);
    expect(first.credential).toMatchObject({ type: 'api_key', fields: { value: 'one' } });
    const second = setMainSecret(p, 'TOKEN', 'two', T1);
    expect(second.created).toBe(false);
    expect(second.credential).toMatchObject({ id: first.credential.id, created: T0, updated: T1, fields: { value: 'two' } });
    expect(p.credentials).toHaveLength(1);
  });

  it("on another type replaces only the main secret (a login's password)", () => {
    const p = sample();
    setMainSecret(p, 'GITHUB', 'new-pw', T1);
    expect(findCredential(p, 'GITHUB')).toMatchObject({ type: 'login', fields: { username: 'octo', password: 'new-pw' }, uris: ['https://github.com'] });
  });

  it('rejects an invalid key', () => {
    expect(() => setMainSecret(emptyPayload('bot', 'K', 'O', 'A'), 'lower', 'v', T0)).toThrow(UsageError);
  });
});

describe('addCredential', () => {
  it('refuses a key that exists and an unknown type', () => {
    const p = sample();
    expect(() => addCredential(p, 'GITHUB', 'api_key', {}, T1)).toThrow(/already exists/);
    expect(() => addCredential(p, 'OTHER', 'password', {}, T1)).toThrow(UsageError);
    expect(p.credentials).toHaveLength(3);
  });
});

describe('changeCredential', () => {
  it('updates fields and renames, keeping id and created, found by key or by id', () => {
    const p = sample();
    const { id } = requireCredential(p, 'GITHUB');
    const changed = changeCredential(p, id, { rename: 'GITHUB_BOT', fields: { username: 'bot' } }, T1);
    expect(changed).toMatchObject({ id, key: 'GITHUB_BOT', created: T0, updated: T1, fields: { username: 'bot', password: 'hunter2' } });
    expect(findCredential(p, 'GITHUB')).toBeUndefined();
  });

  it('refuses a rename onto an existing key or an invalid one, and a missing credential', () => {
    const p = sample();
    expect(() => changeCredential(p, 'GITHUB', { rename: 'NOTES' }, T1)).toThrow(UsageError);
    expect(() => changeCredential(p, 'GITHUB', { rename: 'bad' }, T1)).toThrow(UsageError);
    expect(() => changeCredential(p, 'MISSING', { name: 'x' }, T1)).toThrow(NotFoundError);
    expect(requireCredential(p, 'GITHUB').updated).toBe(T0);
  });
});

describe('removeCredential', () => {
  it('removes by key or id and is exit 3 for a missing one', () => {
    const p = sample();
    removeCredential(p, 'NOTES');
    removeCredential(p, requireCredential(p, 'API_KEY').id);
    expect(p.credentials.map((c) => c.key)).toEqual(['GITHUB']);
    expect(() => removeCredential(p, 'NOTES')).toThrow(NotFoundError);
  });
});

describe('listCredentials and searchCredentials', () => {
  it('list sorted by key, optionally by type', () => {
    const p = sample();
    expect(listCredentials(p).map((c) => c.key)).toEqual(['API_KEY', 'GITHUB', 'NOTES']);
    expect(listCredentials(p, 'secure_note').map((c) => c.key)).toEqual(['NOTES']);
  });

  it.each([
    ['github', ['GITHUB']],
    ['CODE HOST', ['GITHUB']],
    ['octo', ['GITHUB']],
    ['https://github', ['GITHUB']],
    ['SCM', ['GITHUB']],
    ['api_', ['API_KEY']],
  ])('search %j matches key, name, username, URI or tag: %j', (query, keys) => {
    expect(searchCredentials(sample(), query).map((c) => c.key)).toEqual(keys);
  });

  it.each(['hunter2', 'sk-secret', 'the vault is in'])('search never matches a value (%j)', (query) => {
    expect(searchCredentials(sample(), query)).toEqual([]);
  });
});

describe('parsePayload', () => {
  it('round-trips encodePayload', () => {
    const p = sample();
    expect(parsePayload(encodePayload(p), 'bot')).toEqual(p);
  });

  it.each([
    ['not JSON', '{'],
    ['null', 'null'],
    ['another version', JSON.stringify({ v: 2, agent: 'bot', privateKey: 'K', credentials: [] })],
    ['another agent', JSON.stringify({ v: 1, agent: 'other', privateKey: 'K', credentials: [] })],
    ['no credentials array', JSON.stringify({ v: 1, agent: 'bot', privateKey: 'K', credentials: {} })],
    ['no private key', JSON.stringify({ v: 1, agent: 'bot', credentials: [] })],
    ['no owner signing key', JSON.stringify({ v: 1, agent: 'bot', privateKey: 'K', auditKeys: ['A'], credentials: [] })],
  ])('rejects %s as an integrity error', (_what, text) => {
    expect(() => parsePayload(Buffer.from(text), 'bot')).toThrow(IntegrityError);
  });
});
