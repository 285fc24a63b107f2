/**
 * Tables for people, lines for programs: on a terminal times read "3 minutes ago" and
 * "in 2 days"; piped they stay ISO 8601, and `credential list` has no column of
 * asterisks (values appear there only with --reveal).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

describe('tables', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = new TempStore();
    store.clock.set('2031-05-01T12:00:00.000Z');
    await store.init();
    await store.provision('bot');
    await store.provision('other');
    expect((await store.owner(['credential', 'set', 'API_KEY=sk-secret-value', '-a', 'bot'])).code).toBe(0);
    expect((await store.owner(['grant', 'API_KEY', '-a', 'bot', '--to', 'other', '--expires', '3d'])).code).toBe(0);
    store.clock.advance(3 * 60_000 + 5_000);
  });
  afterEach(() => store.cleanup());

  it('credential list on a terminal: relative times, values masked', async () => {
    const tty = await store.owner(['credential', 'list', '-a', 'bot'], { tty: true });
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stdout).toContain('3 minutes ago');
    expect(tty.stdout).not.toMatch(ISO);
    expect(tty.stdout).toContain('********');
    expect(tty.stdout).not.toContain('sk-secret-value');
  });

  it('credential list piped: ISO times, and no masked VALUE column unless --reveal', async () => {
    const piped = await store.owner(['credential', 'list', '-a', 'bot']);
    expect(piped.code).toBe(0);
    const [row] = piped.stdout.split('\n').map((l) => l.split('\t'));
    expect(row![0]).toBe('API_KEY');
    expect(row![3]).toMatch(new RegExp(`^${ISO.source}$`));
    expect(piped.stdout).not.toContain('*');
    expect(row).toHaveLength(5);
    const revealed = (await store.owner(['credential', 'list', '-a', 'bot', '--reveal'])).stdout.trimEnd().split('\t');
    expect(revealed[4]).toBe('sk-secret-value');
  });

  it('status and grant list on a terminal: past and future times in words, "never" kept', async () => {
    const status = await store.owner(['status', 'bot'], { tty: true });
    expect(status.stdout).toMatch(/3 minutes ago/);
    expect(status.stdout).not.toMatch(ISO);
    const grants = await store.owner(['grant', 'list'], { tty: true });
    expect(grants.stdout).toContain('3 minutes ago');
    expect(grants.stdout).toContain('in 2 days');
    expect((await store.owner(['grant', 'list'])).stdout).toMatch(ISO);
  });
});
