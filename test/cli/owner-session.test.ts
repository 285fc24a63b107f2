/**
 * Owner sessions (unlock, lock): a session opens owner commands without a passphrase;
 * a forged, expired, locked, other-terminal or other-store session is exit 4; the string
 * is in no store file; status says whether it is live; audit lines carry its id.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let runtime: string;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

beforeEach(async () => {
  store = new TempStore();
  runtime = join(store.root, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  store.env.XDG_RUNTIME_DIR = runtime;
  await store.init();
  await store.provision('bot');
  expect((await store.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: 'the-value' })).code).toBe(0);
});
afterEach(() => store.cleanup());

async function unlock(args: string[] = []): Promise<string> {
  const result = await store.owner(['unlock', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

/** Runs as the owner with only the session: no passphrase anywhere. */
const withSession = (session: string, args: string[], options: { binding?: string } = {}) => store.run(args, { env: { AGENT_VAULT_SESSION: session }, ...options });

describe('unlock', () => {
  it('prints a session string alone that opens owner commands without a passphrase', async () => {
    const session = await unlock();
    expect(session).toMatch(/^avs_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'])).toMatchObject({ code: 0, stdout: 'the-value\n' });
    expect((await store.run(['credential', 'set', 'OTHER=-', '-a', 'bot'], { env: { AGENT_VAULT_SESSION: session }, input: 'written' })).code).toBe(0);
    expect((await withSession(session, ['provision', 'second'])).code).toBe(0);
    expect(await store.owner(['credential', 'get', 'OTHER', '-a', 'bot'])).toMatchObject({ code: 0, stdout: 'written\n' });
  });

  it('--json gives the session and its expiry, --sh an export line; --ttl sets the expiry', async () => {
    const json = await store.owner(['unlock', '--json', '--ttl', '2h']);
    const parsed = JSON.parse(json.stdout) as { session: string; expires: string };
    expect(json.stderr).toBe('');
    expect(Date.parse(parsed.expires) - store.clock.now().getTime()).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(Date.parse(parsed.expires) - store.clock.now().getTime()).toBeLessThanOrEqual(2 * 3_600_000);
    const sh = await store.owner(['unlock', '--sh']);
    expect(sh.stdout).toMatch(/^export AGENT_VAULT_SESSION=avs_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/);
  });

  it('refuses a --ttl over 24h, or not a duration, with exit 2', async () => {
    expect((await store.owner(['unlock', '--ttl', '25h'])).code).toBe(2);
    expect((await store.owner(['unlock', '--ttl', 'soon'])).code).toBe(2);
  });

  it('needs the passphrase itself: a session cannot open the next one', async () => {
    const session = await unlock();
    const result = await withSession(session, ['unlock']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/passphrase is needed/);
  });

  it('refuses without XDG_RUNTIME_DIR (exit 2) unless --session-dir names a directory, which it makes 0700', async () => {
    delete store.env.XDG_RUNTIME_DIR;
    const refused = await store.owner(['unlock']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/XDG_RUNTIME_DIR is not set/);
    const dir = join(store.root, 'sessions');
    const given = await store.owner(['unlock', '--session-dir', dir, '--sh']);
    expect(given.code, given.stderr).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    const session = /AGENT_VAULT_SESSION=(\S+)/.exec(given.stdout)![1]!;
    expect(given.stdout).toContain(`export AGENT_VAULT_SESSION_DIR='${dir}'`);
    expect(await store.run(['credential', 'get', 'KEY', '-a', 'bot'], { env: { AGENT_VAULT_SESSION: session, AGENT_VAULT_SESSION_DIR: dir } })).toMatchObject({ code: 0 });
  });

  it('refuses a runtime directory open to others (exit 2)', async () => {
    const open = join(store.root, 'open');
    mkdirSync(open, { mode: 0o755 });
    store.env.XDG_RUNTIME_DIR = open;
    const result = await store.owner(['unlock']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/open to other users/);
  });

  it('writes the session string to no store file, and its secret to no file at all', async () => {
    const session = await unlock();
    await withSession(session, ['credential', 'list', '-a', 'bot']);
    const secret = session.slice(session.lastIndexOf('_') + 1);
    for (const file of [...filesUnder(store.dir), ...filesUnder(runtime)]) {
      const text = readFileSync(file, 'latin1');
      expect(text.includes(session) || text.includes(secret), file).toBe(false);
    }
  });
});

describe('a session that does not open is exit 4', () => {
  it('forged: another secret for a real id', async () => {
    const session = await unlock();
    const forged = `${session.slice(0, -43)}${'A'.repeat(42)}Q`;
    const result = await withSession(forged, ['credential', 'get', 'KEY', '-a', 'bot']);
    expect(result).toMatchObject({ code: 4, stdout: '' });
    expect(result.stderr).toMatch(/altered or forged/);
  });

  it('malformed, or naming no session', async () => {
    expect((await withSession('avs_nope', ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(4);
    expect((await withSession(`avs_000000000000_${'A'.repeat(43)}`, ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(4);
  });

  it('expired, by the clock on disk: and its file is removed', async () => {
    const session = await unlock(['--ttl', '10m']);
    expect((await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(0);
    store.clock.advance(10 * 60_000 + 1);
    const result = await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/expired/);
    expect(readdirSync(join(runtime, 'agent-vault'))).toEqual([]);
  });

  it('locked: lock ends every session of the store at once, with no passphrase', async () => {
    const first = await unlock();
    const second = await unlock();
    const lock = await store.run(['lock', '--json']);
    expect(lock.code, lock.stderr).toBe(0);
    expect(JSON.parse(lock.stdout)).toEqual({ sessions_ended: 2 });
    for (const session of [first, second]) expect((await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(4);
  });

  it('lock with a session directory that is not there ends nothing and succeeds', async () => {
    expect(JSON.parse((await store.run(['lock', '--json', '--session-dir', join(store.root, 'none')])).stdout)).toEqual({ sessions_ended: 0 });
  });

  it('from another terminal or login session', async () => {
    const session = await unlock();
    const result = await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'], { binding: 'another terminal' });
    expect(result).toMatchObject({ code: 4, stdout: '' });
    expect(result.stderr).toMatch(/another terminal/);
  });

  it('for another store', async () => {
    const session = await unlock();
    const other = new TempStore();
    try {
      await other.init();
      const result = await other.run(['status', 'bot', '--json'], { env: { AGENT_VAULT_SESSION: session, XDG_RUNTIME_DIR: runtime } });
      expect(result.code).toBe(0);
      const owned = await other.run(['provision', 'x'], { env: { AGENT_VAULT_SESSION: session, XDG_RUNTIME_DIR: runtime } });
      expect(owned.code).toBe(4);
    } finally {
      other.cleanup();
    }
  });

  it('after passwd, which ends every session', async () => {
    const session = await unlock();
    const passwd = await store.owner(['passwd', '--new-passphrase-stdin'], { input: 'tomato kiwi raven ocean violin 77' });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect((await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(4);
  });
});

describe('precedence and records', () => {
  it('a token decides before a session', async () => {
    const token = await store.provision('other');
    const session = await unlock();
    const result = await store.run(['credential', 'get', 'KEY', '-a', 'bot'], { env: { AGENT_VAULT_SESSION: session, AGENT_VAULT_TOKEN: token } });
    expect(result.code).toBe(5);
  });

  it('a session decides before a passphrase: a broken session is exit 4 even with the right passphrase', async () => {
    const result = await store.owner(['credential', 'get', 'KEY', '-a', 'bot'], { env: { AGENT_VAULT_SESSION: 'avs_broken' } });
    expect(result.code).toBe(4);
  });

  it('owner audit lines written inside a session carry its short id', async () => {
    const session = await unlock();
    const id = session.split('_')[1]!;
    expect((await withSession(session, ['credential', 'get', 'KEY', '-a', 'bot'])).code).toBe(0);
    const audit = await withSession(session, ['audit', '--json']);
    const lines = JSON.parse(audit.stdout) as Array<{ action: string; actor: string; session?: string }>;
    expect(lines.find((l) => l.action === 'credential.get')).toMatchObject({ actor: 'owner', session: id });
    expect(lines.find((l) => l.action === 'owner.unlock')).toMatchObject({ actor: 'owner', session: id });
    expect(lines.find((l) => l.action === 'credential.set')?.session).toBeUndefined();
    expect((await withSession(session, ['audit', 'verify'])).code).toBe(0);
  });

  it('status says whether the session is live and until when', async () => {
    const json = JSON.parse((await store.owner(['unlock', '--json'])).stdout) as { session: string; expires: string };
    const live = await withSession(json.session, ['status']);
    expect(live.code).toBe(0);
    expect(live.stderr).toContain(`live until ${json.expires}`);
    await store.run(['lock']);
    expect((await withSession(json.session, ['status'])).stderr).toMatch(/not live/);
  });
});
