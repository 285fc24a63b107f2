import { describe, expect, it } from 'vitest';
import { IntegrityError, NotFoundError, UsageError } from '../../../src/core/errors.js';
import {
  addCredential,
  changeCredential,
  checkListingEntry,
  checkRecord,
  emptyPayload,
  encodeListingEntry,
  encodeMeta,
  encodeRecord,
  findCredential,
  lazyPayload,
  listCredentials,
  parseMeta,
  untouchedSource,
  removeCredential,
  requireCredential,
  searchCredentials,
  setMainSecret,
  setMainSecrets,
  insertCredential,
  type CredentialSource,
  type VaultPayload,
} from '../../../src/core/vault.js';
import { CREDENTIAL_TYPES, summarize, type Credential } from '../../../src/core/credential.js';
import { CREDENTIAL_TYPE_SPECS } from '../../../src/core/credential-types.js';
import type { CredentialVersion } from '../../../src/core/history.js';

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

describe('setMainSecrets', () => {
  it('sets each pair in order: a key given twice is created, then replaced; an existing one of another type keeps its type', () => {
    const p = sample();
    const count = p.credentials.length;
    const results = setMainSecrets(p, [['NEW', 'one'], ['GITHUB', 'new-pw'], ['NEW', 'two']], T1);
    expect(results.map((r) => [r.credential.key, r.created])).toEqual([['NEW', true], ['GITHUB', false], ['NEW', false]]);
    expect(results[2]!.credential).toBe(results[0]!.credential);
    expect(findCredential(p, 'NEW')).toMatchObject({ type: 'api_key', fields: { value: 'two' } });
    expect(findCredential(p, 'GITHUB')).toMatchObject({ type: 'login', fields: { password: 'new-pw' } });
    expect(p.credentials).toHaveLength(count + 1);
  });
});

describe('insertCredential', () => {
  it('adds a typed credential without searching the vault, and still refuses a bad key or type', () => {
    const p = sample();
    const count = p.credentials.length;
    expect(insertCredential(p, 'NEW_ONE', 'api_key', { fields: { value: 'v' } }, T1)).toMatchObject({ key: 'NEW_ONE', type: 'api_key', fields: { value: 'v' } });
    expect(p.credentials).toHaveLength(count + 1);
    expect(() => insertCredential(p, 'lower', 'api_key', {}, T1)).toThrow(UsageError);
    expect(() => insertCredential(p, 'FINE', 'no_such_type', {}, T1)).toThrow(UsageError);
    expect(p.credentials).toHaveLength(count + 1);
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

describe('encodeMeta and parseMeta', () => {
  it('round-trip everything but the credentials and their history, keeping the orphaned history', () => {
    const p = sample();
    const orphans = { gone: [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }] };
    p.history = { [p.credentials[0]!.id]: [{ version: 1, time: T0, actor: 'owner', fields: ['password'] }], ...orphans };
    const rest: Partial<VaultPayload> = { ...p };
    delete rest.credentials;
    delete rest.history;
    expect(parseMeta(encodeMeta(p, orphans), 'bot')).toEqual({ ...rest, history: orphans });
    expect(parseMeta(encodeMeta(p, undefined), 'bot')).toEqual(rest);
  });

  it.each([
    ['not JSON', '{'],
    ['null', 'null'],
    ['the version before records', JSON.stringify({ v: 1, agent: 'bot', privateKey: 'K', ownerSigningKey: 'O', auditKeys: ['A'] })],
    ['another agent', JSON.stringify({ v: 2, agent: 'other', privateKey: 'K', ownerSigningKey: 'O', auditKeys: ['A'] })],
    ['credentials inside', JSON.stringify({ v: 2, agent: 'bot', privateKey: 'K', ownerSigningKey: 'O', auditKeys: ['A'], credentials: [] })],
    ['no private key', JSON.stringify({ v: 2, agent: 'bot', ownerSigningKey: 'O', auditKeys: ['A'] })],
    ['no owner signing key', JSON.stringify({ v: 2, agent: 'bot', privateKey: 'K', auditKeys: ['A'] })],
    ['no audit key', JSON.stringify({ v: 2, agent: 'bot', privateKey: 'K', ownerSigningKey: 'O', auditKeys: [] })],
  ])('rejects %s as an integrity error', (_what, text) => {
    expect(() => parseMeta(Buffer.from(text), 'bot')).toThrow(IntegrityError);
  });
});

describe('checkRecord', () => {
  it('accepts a record holding the key and id its index entry names, and nothing else', () => {
    const c = sample().credentials[0]!;
    const versions = [{ version: 1, time: T0, actor: 'owner', fields: ['password'] }];
    expect(checkRecord(JSON.parse(encodeRecord(c, versions)), 'bot', c)).toEqual({ credential: c, versions });
    expect(checkRecord(JSON.parse(encodeRecord(c, undefined)), 'bot', c)).toEqual({ credential: c });
    for (const expected of [{ key: 'OTHER', id: c.id }, { key: c.key, id: 'other' }]) {
      expect(() => checkRecord(JSON.parse(encodeRecord(c, undefined)), 'bot', expected)).toThrow(IntegrityError);
    }
    for (const bad of [null, 1, {}, { c: null }, { c: { ...c, fields: null } }, { c, h: [{ version: 'one' }] }]) {
      expect(() => checkRecord(bad, 'bot', c)).toThrow(IntegrityError);
    }
  });
});

describe('encodeListingEntry and checkListingEntry', () => {
  const ids = { key: 'K', id: '0123456789abcdef' };
  const entryOf = (c: Credential): unknown => JSON.parse(encodeListingEntry(c));

  it('give back the summary of every type, empty or full, defaults left out and put back', () => {
    for (const type of CREDENTIAL_TYPES) {
      const spec = CREDENTIAL_TYPE_SPECS.find((t) => t.name === type)!;
      const all = Object.fromEntries(spec.fields.map((f) => [f.name, `v-${f.name}`]));
      const some = Object.fromEntries(spec.fields.slice(1).map((f) => [f.name, `v-${f.name}`]));
      for (const fields of [all, some, {}]) {
        const c: Credential = { ...ids, type, name: '', tags: [], uris: [], fields, created: T0, updated: T0 };
        const full = { ...c, name: 'N', tags: ['t'], uris: spec.uris ? ['https://x'] : [], updated: T1, revealPolicy: 'brokered' as const, policy: { rotateEvery: '30d' } };
        // A member Credential may gain later travels too.
        for (const variant of [c, full, { ...full, later: { x: 1 } } as Credential]) {
          const text = encodeListingEntry(variant);
          for (const f of spec.fields) if (f.secret) expect(text).not.toContain(`v-${f.name}`);
          expect(checkListingEntry(JSON.parse(text), 'bot', ids)).toEqual(summarize(variant));
        }
      }
    }
  });

  it('keep a credential `set` made to its creation time', () => {
    expect(encodeListingEntry({ ...ids, type: 'api_key', name: '', tags: [], uris: [], fields: { value: 'secret' }, created: T0, updated: T0 })).toBe(`{"created":"${T0}"}`);
  });

  it('refuse an entry of another shape (exit 6)', () => {
    const good = entryOf({ ...ids, type: 'login', name: '', tags: [], uris: [], fields: { username: 'u' }, created: T0, updated: T0 }) as Record<string, unknown>;
    for (const bad of [null, 1, 'x', [], {}, { ...good, key: 'K' }, { ...good, id: ids.id }, { ...good, type: 'nope' }, { ...good, created: 1 }, { ...good, fields: null }, { ...good, secretFields: 'password' }]) {
      expect(() => checkListingEntry(bad, 'bot', ids)).toThrow(IntegrityError);
    }
  });
});

describe('lazyPayload', () => {
  /** A source over `credentials` that counts what it was asked for, with the overlay kept in plain arrays. */
  function counting(credentials: VaultPayload['credentials']): CredentialSource & { finds: number; alls: number } {
    const handed = new Set<(typeof credentials)[number]>();
    const versions = new Map<(typeof credentials)[number], CredentialVersion[]>();
    return {
      finds: 0,
      alls: 0,
      find(keyOrId, by) {
        this.finds += 1;
        const found = (by === 'id' ? undefined : credentials.find((c) => c.key === keyOrId)) ?? (by === 'key' ? undefined : credentials.find((c) => c.id === keyOrId));
        if (found) handed.add(found);
        return found;
      },
      all() {
        this.alls += 1;
        return { credentials, history: { [credentials[0]!.id]: [{ version: 1, time: T0, actor: 'owner', fields: ['password'] }] } };
      },
      summaries() {
        return credentials.map(summarize);
      },
      insert(credential) {
        credentials.push(credential);
        handed.add(credential);
      },
      remove(credential) {
        credentials.splice(credentials.indexOf(credential), 1);
        handed.delete(credential);
      },
      versions: (credential) => versions.get(credential),
      setVersions(credential, v) {
        if (v) versions.set(credential, v);
        else versions.delete(credential);
      },
      touched: () => credentials.filter((c) => handed.has(c)),
    };
  }
  const meta = (): Omit<VaultPayload, 'credentials'> => {
    const rest: Partial<VaultPayload> = sample();
    delete rest.credentials;
    return rest as Omit<VaultPayload, 'credentials'>;
  };

  it('finds one credential through the source without loading them all', () => {
    const all = sample().credentials;
    const source = counting(all);
    const p = lazyPayload(meta(), source);
    expect(requireCredential(p, 'NOTES')).toBe(all[1]);
    expect(findCredential(p, all[0]!.id)).toBe(all[0]);
    expect(() => requireCredential(p, 'MISSING')).toThrow(NotFoundError);
    expect(source.alls).toBe(0);
    expect(untouchedSource(p)).toBe(source);
  });

  it('loads credentials and history once, on the first read of either, and then behaves as a plain payload', () => {
    const all = sample().credentials;
    const source = counting(all);
    const p = lazyPayload(meta(), source);
    expect(p.history).toEqual({ [all[0]!.id]: expect.any(Array) });
    expect(untouchedSource(p)).toBeUndefined();
    expect(p.credentials).toBe(all);
    removeCredential(p, 'NOTES');
    expect(p.credentials.map((c) => c.key)).toEqual(['GITHUB', 'API_KEY']);
    expect(findCredential(p, 'NOTES')).toBeUndefined();
    delete p.history;
    expect('history' in p).toBe(false);
    expect(source.alls).toBe(1);
    expect(JSON.parse(JSON.stringify(p))).toMatchObject({ agent: 'bot', credentials: [{ key: 'GITHUB' }, { key: 'API_KEY' }] });
  });

  it('takes a replaced credentials array as it is, without loading', () => {
    const source = counting(sample().credentials);
    const p = lazyPayload(meta(), source);
    p.credentials = [];
    expect(findCredential(p, 'NOTES')).toBeUndefined();
    expect(p.credentials).toEqual([]);
    expect(source.alls).toBe(0);
  });
});
