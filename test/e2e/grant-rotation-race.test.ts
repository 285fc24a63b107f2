/**
 * A grant made while its grantee's token rotates is never left sealed to the key the
 * rotation replaced: the grant holds the grantee's vault while it seals, so the two
 * run one after the other, whichever starts first (processes, not in process: the
 * point is two writers at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

describe('grant during token rotate of the grantee', () => {
  let store: TempStore;
  beforeAll(async () => {
    ({ store } = await TempStore.withAgent('granter'));
    await store.provision('reader');
  });
  afterAll(() => store.cleanup());

  it('leaves every grant readable with the token the rotation printed', async () => {
    for (let round = 0; round < 6; round += 1) {
      const key = `KEY_${round}`;
      expect((await store.owner(['credential', 'set', `${key}=-`, '--agent', 'granter'], { input: `value-${round}` })).code).toBe(0);
      const [rotated, granted] = await Promise.all([
        store.owner(['token', 'rotate', 'reader']),
        store.owner(['grant', key, '--to', 'reader', '--agent', 'granter']),
      ]);
      expect([rotated.code, granted.code], `${rotated.stderr}${granted.stderr}`).toEqual([0, 0]);
      const token = rotated.stdout.trim();
      for (let earlier = 0; earlier <= round; earlier += 1) {
        expect(await store.agent(token, ['credential', 'get', `KEY_${earlier}`, '--agent', 'granter']), `round ${round}, KEY_${earlier}`).toMatchObject({
          code: 0,
          stdout: `value-${earlier}\n`,
        });
      }
    }
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  });
});
