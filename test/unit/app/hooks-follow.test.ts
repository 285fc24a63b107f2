/**
 * runHooks as `hook run --follow` drives it: a hook whose delivery fails is paused
 * while the others go on, and once the pause is over it gets everything it missed, in
 * order, and nothing twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditReader } from '../../../src/app/audit-follow.js';
import { FOLLOW_PAUSE_MS, runHooks, type FollowState, type HookTransport } from '../../../src/app/hooks.js';
import { openSession } from '../../../src/app/open-session.js';
import type { Session } from '../../../src/app/session.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

describe('runHooks while following', () => {
  let store: TempStore;
  let intruder: string;
  const sent: Array<{ hook: string; id: string }> = [];
  let failing: string;
  const transport: HookTransport = {
    async send(hook, request) {
      if (hook.id === failing) throw new Error('HTTP 500');
      sent.push({ hook: hook.id, id: request.delivery });
    },
    sleep: async () => {},
  };
  const deny = async (key: string): Promise<void> => {
    expect((await store.agent(intruder, ['credential', 'get', key, '--agent', 'bot'])).code).toBe(5);
  };
  const addHook = async (): Promise<string> => {
    const added = await store.owner(['hook', 'add', '--event', 'access.denied', '--exec', 'true', '--json']);
    expect(added.code, added.stderr).toBe(0);
    return (JSON.parse(added.stdout) as { id: string }).id;
  };

  beforeEach(async () => {
    ({ store } = await TempStore.withAgent());
    intruder = await store.provision('intruder');
    sent.length = 0;
  });
  afterEach(() => store.cleanup());

  it('pauses a failing hook, delivers to the others meanwhile, and catches it up afterwards', async () => {
    failing = await addHook();
    const healthy = await addHook();
    const session: Session = await openSession({ store: store.dir, passphrase: PASSPHRASE, now: () => store.clock.now() });
    const follow: FollowState = { reader: new AuditReader(session), paused: new Map() };
    const retry = { retries: 1, backoffMs: 0 };

    await deny('A');
    const first = await runHooks(session, transport, retry, follow);
    expect(first.failed.map((f) => f.hook)).toEqual([failing]);
    expect(sent.map((s) => s.hook)).toEqual([healthy]);

    await deny('B');
    const second = await runHooks(session, transport, retry, follow);
    // The paused hook is not tried again (its failure line must not make it fail in a loop).
    expect(second.failed).toEqual([]);
    expect(sent.map((s) => s.hook)).toEqual([healthy, healthy]);

    failing = '';
    store.clock.advance(FOLLOW_PAUSE_MS + 1);
    const third = await runHooks(session, transport, retry, follow);
    expect(third.delivered).toBe(2);
    expect(sent.filter((s) => s.hook !== healthy)).toHaveLength(2);
    expect(new Set(sent.map((s) => `${s.hook} ${s.id}`)).size).toBe(4);
    expect((await runHooks(session, transport, retry, follow)).delivered).toBe(0);
  });
});
