/**
 * Text an agent writes (a display name, a username, a program name that reaches the
 * audit log) cannot drive the owner's terminal: tables, tab-separated lines, notices
 * and error messages show control characters escaped, and `--json` keeps them exact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

/** OSC 52 (write the clipboard), then clear the screen, then a C1 CSI. */
const HOSTILE = '\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u009b31m';
const SHOWN = '\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\x9b31m';
/** ESC, BEL, C1 CSI and the bidi override: none of them may reach the terminal raw. */
const RAW_CONTROL = /[\x07\u009b\u202e]|\x1b(?!\[(?:\d+(?:;\d+)*)?m)/;

let store: TempStore;
let bot: string;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
  bot = await store.provision('bot');
  const added = await store.agent(bot, ['credential', 'add', 'NOTE', '--type', 'secure_note', '--name', HOSTILE, '--notes-stdin'], { input: 'n' });
  expect(added.code).toBe(0);
  const login = await store.agent(bot, ['credential', 'add', 'SITE', '--type', 'login', '--name', 'tab\there\u202eevil', '--username', HOSTILE, '--password-stdin'], { input: 'p' });
  expect(login.code).toBe(0);
});
afterEach(() => store.cleanup());

describe("the owner's terminal", () => {
  it('credential list on a TTY shows the names escaped, with colour on or off', async () => {
    for (const env of [{ NO_COLOR: '1' }, {}]) {
      const list = await store.owner(['credential', 'list', '--agent', 'bot'], { tty: true, env });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(SHOWN);
      expect(list.stdout).toContain('tab\\there\\u202eevil');
      expect(list.stdout).not.toMatch(RAW_CONTROL);
    }
    expect((await store.owner(['credential', 'list', '--agent', 'bot'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b');
  });

  it('piped lines keep the data, escaped so that a line stays a line; --json keeps it exact', async () => {
    const piped = await store.owner(['credential', 'list', '--agent', 'bot']);
    expect(piped.stdout).not.toMatch(RAW_CONTROL);
    const rows = piped.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['NOTE', SHOWN],
      ['SITE', 'tab\\there\\u202eevil'],
    ]);
    const json = JSON.parse((await store.owner(['credential', 'list', '--agent', 'bot', '--json'])).stdout) as Array<{ name: string }>;
    expect(json.map((c) => c.name)).toEqual([HOSTILE, 'tab\there\u202eevil']);
    const got = JSON.parse((await store.owner(['credential', 'get', 'SITE', '--agent', 'bot', '--json'])).stdout) as { fields: { username: string } };
    expect(got.fields.username).toBe(HOSTILE);
  });

  it("the audit table shows a program name an agent chose escaped, and the agent's own error too", async () => {
    const run = await store.agent(bot, ['exec', '--', `x${HOSTILE}`]);
    expect(run.code).toBe(127);
    expect(run.stderr).toContain(`command not found: x${SHOWN}`);
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    const audit = await store.owner(['audit'], { tty: true });
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('\\x1b]52');
    expect(audit.stdout).not.toMatch(RAW_CONTROL);
    const json = await store.owner(['audit', '--json']);
    expect(json.stdout).toContain(JSON.stringify(`x${HOSTILE}`).slice(1, -1));
  });

  it('error messages and notices that quote input show it escaped', async () => {
    const badKey = await store.owner(['credential', 'get', 'K\u009b2J', '--agent', 'bot']);
    expect(badKey.code).toBe(3);
    expect(badKey.stderr).toContain('\\x9b2J');
    expect(badKey.stderr).not.toMatch(RAW_CONTROL);
    const badOption = await store.owner(['credential', 'list', `--x\x1b[2J`]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--x\\x1b[2J');
    expect(badOption.stderr).not.toMatch(RAW_CONTROL);
    const set = await store.run(['config', 'set', 'default-store', `/tmp/x${HOSTILE}`]);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain(`default-store = /tmp/x${SHOWN}`);
    expect(set.stderr).not.toMatch(RAW_CONTROL);
  });
});
