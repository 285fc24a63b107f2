import { describe, expect, it } from 'vitest';
import { KEPT_VERSIONS, mainSecretChanged, recordChanges, snapshotSecrets, versionsOf } from '../../../src/core/history.js';
import { addCredential, checkRecord, emptyPayload, encodeMeta, encodeRecord, parseMeta, setMainSecret } from '../../../src/core/vault.js';
import { dueItems, parseExpires, parseRotateEvery } from '../../../src/core/policy.js';
import { IntegrityError, UsageError } from '../../../src/core/errors.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';

describe('recordChanges', () => {
  it('starts a credential from before history was kept with the version it had, then adds the new one', () => {
    const p = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
    setMainSecret(p, 'API_KEY', 'old', T0);
    // No history at all: a payload written before history was kept.
    expect(versionsOf(p.history, p.credentials[0]!).map((v) => [v.version, v.actor, v.current])).toEqual([[1, 'unknown', true]]);
    const before = snapshotSecrets(p.credentials);
    setMainSecret(p, 'API_KEY', 'new', T1);
    const { history, changed } = recordChanges(p.history, p.credentials, before, { now: T1, actor: 'owner' });
    expect(changed).toEqual([p.credentials[0]!.id]);
    expect(versionsOf(history, p.credentials[0]!).map((v) => [v.version, v.actor, v.values])).toEqual([
      [2, 'owner', { value: 'new' }],
      [1, 'unknown', { value: 'old' }],
    ]);
    expect(mainSecretChanged(history, p.credentials[0]!)).toBe(T1);
  });

  it('adds no version for a change of no secret field, and drops the history of a deleted credential', () => {
    const p = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
    addCredential(p, 'SITE', 'login', { fields: { username: 'a', password: 'pw' } }, T0);
    const first = recordChanges(undefined, p.credentials, new Map(), { now: T0, actor: 'owner' });
    const before = snapshotSecrets(p.credentials);
    p.credentials[0]!.fields.username = 'b';
    expect(recordChanges(first.history, p.credentials, before, { now: T1, actor: 'owner' }).changed).toEqual([]);
    expect(recordChanges(first.history, [], before, { now: T1, actor: 'owner' }).history).toBeUndefined();
  });

  it(`keeps ${KEPT_VERSIONS} versions besides the current one`, () => {
    const p = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
    setMainSecret(p, 'K', 'v0', T0);
    let history = recordChanges(undefined, p.credentials, new Map(), { now: T0, actor: 'owner' }).history;
    for (let n = 1; n <= 20; n += 1) {
      const before = snapshotSecrets(p.credentials);
      setMainSecret(p, 'K', `v${n}`, T1);
      history = recordChanges(history, p.credentials, before, { now: T1, actor: 'owner' }).history;
    }
    expect(history![p.credentials[0]!.id]).toHaveLength(KEPT_VERSIONS + 1);
  });
});

describe('history in the metadata and in records', () => {
  it('reads a history and refuses a malformed one (exit 6)', () => {
    const p = emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT');
    setMainSecret(p, 'K', 'v', T0);
    const c = p.credentials[0]!;
    const versions = [{ version: 1, time: T0, actor: 'owner', fields: ['value'] }];
    expect(parseMeta(encodeMeta(p, { gone: versions }), 'bot').history).toEqual({ gone: versions });
    expect(checkRecord(JSON.parse(encodeRecord(c, versions)), 'bot', c).versions).toEqual(versions);
    for (const bad of [{ x: 'no' }, { x: [{ version: 'one', time: T0, actor: 'owner', fields: [] }] }, { x: [{ version: 1, time: T0, actor: 'owner', fields: [], values: { v: 1 } }] }]) {
      expect(() => parseMeta(encodeMeta(p, bad as never), 'bot')).toThrow(IntegrityError);
      expect(() => checkRecord(JSON.parse(encodeRecord(c, bad.x as never)), 'bot', c)).toThrow(IntegrityError);
    }
    expect(() => parseMeta(encodeMeta(p, [] as never), 'bot')).toThrow(IntegrityError);
  });
});
describe('policies', () => {
  it('parses --rotate-every and --expires, and never', () => {
    expect(parseRotateEvery('30d')).toBe('30d');
    expect(parseRotateEvery('never')).toBeUndefined();
    expect(parseExpires('2026-12-31', new Date(T0))).toBe('2026-12-31T00:00:00.000Z');
    expect(parseExpires('1d', new Date(T0))).toBe('2025-01-02T00:00:00.000Z');
    for (const bad of ['30', '30x', '-1d', '']) expect(() => parseRotateEvery(bad), bad).toThrow(UsageError);
    for (const bad of ['tomorrow', '2026-13-45x', '']) expect(() => parseExpires(bad, new Date(T0)), bad).toThrow(UsageError);
  });

  it('is due for rotation from the last change of the main secret, and for expiry when it passed or falls within', () => {
    const policy = { rotateEvery: '30d', expires: '2025-03-01T00:00:00.000Z' };
    expect(dueItems(policy, T0, new Date('2025-01-30T00:00:00.000Z'))).toEqual([]);
    expect(dueItems(policy, T0, new Date('2025-01-31T00:00:00.000Z'))).toEqual([{ reason: 'rotation', due: '2025-01-31T00:00:00.000Z' }]);
    expect(dueItems(policy, T1, new Date('2025-02-20T00:00:00.000Z'), 10 * 86_400_000)).toEqual([{ reason: 'expiry', due: policy.expires }]);
  });
});
