import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../../src/app/open-session.js';
import type { Session } from '../../../src/app/session.js';
import { totpCode } from '../../../src/app/totp.js';
import { generateTotp, parseTotpSecret } from '../../../src/core/totp.js';
import { TempStore } from '../../helpers/cli.js';

// The RFC 6238 SHA1 seed: a public test key.
const KEY = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const WINDOW_START = 1_700_000_010_000; // 1700000010 is a multiple of 30

describe('totpCode', () => {
  let store: TempStore;
  let token: string;

  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
    const added = await store.agent(token, ['credential', 'add', 'SITE', '--type', 'login', '--totp-stdin'], { input: KEY });
    if (added.code !== 0) throw new Error(added.stderr);
  });
  afterAll(() => store.cleanup());

  /** A session whose clock the fake sleep moves forward. */
  async function clocked(start: number): Promise<{ session: Session; sleep: (ms: number) => Promise<void>; slept: number[] }> {
    let now = start;
    const slept: number[] = [];
    const session = await openSession({ store: store.dir, token, now: () => new Date(now) });
    return {
      session,
      slept,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    };
  }

  const expected = (at: number) => generateTotp(parseTotpSecret(KEY), at);

  it('gives the code of the session clock without waiting when enough of the window is left', async () => {
    const { session, sleep, slept } = await clocked(WINDOW_START + 20_000);
    expect(await totpCode(session, 'bot', 'SITE', { freshSeconds: 10, sleep })).toEqual(await expected(WINDOW_START + 20_000));
    expect(slept).toEqual([]);
  });

  it('with freshSeconds, waits for the next window when too little of this one is left', async () => {
    const { session, sleep, slept } = await clocked(WINDOW_START + 27_500);
    const code = await totpCode(session, 'bot', 'SITE', { freshSeconds: 5, sleep });
    expect(slept).toEqual([2_500]);
    expect(code).toEqual({ ...(await expected(WINDOW_START + 30_000)), expiresIn: 30 });
    expect(code.code).not.toBe((await expected(WINDOW_START + 27_500)).code);
  });

  it('never gives the old window’s code when the timer wakes early', async () => {
    const { session, slept } = await clocked(WINDOW_START + 29_000);
    const early = async (ms: number): Promise<void> => {
      slept.push(ms); // and the clock does not move
    };
    expect((await totpCode(session, 'bot', 'SITE', { freshSeconds: 2, sleep: early })).code).toBe((await expected(WINDOW_START + 30_000)).code);
  });

  it('refuses a freshness longer than the period', async () => {
    const { session, sleep } = await clocked(WINDOW_START);
    await expect(totpCode(session, 'bot', 'SITE', { freshSeconds: 31, sleep })).rejects.toThrow(/longer than the code's period of 30 seconds/);
  });
});
