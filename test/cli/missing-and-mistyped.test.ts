/**
 * A store that does not exist (status says so, exit 3, naming init) and mistyped
 * command words (commander's unknown-command error with core/suggest.ts's ranking).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SETTING_NAMES, type SettingName } from '../../src/store/settings.js';
import { TempStore } from '../helpers/in-process.js';

describe('status on a store that does not exist', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  it.each([[['status']], [['status', 'bot']]])('%j is exit 3 naming init, as other commands are', async (args) => {
    const result = await store.run(args);
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(result.stderr).toMatch(/^error: no agent-vault store at .+\nhint: create one with: agent-vault init/);
    const other = await store.run(['credential', 'list', '--agent', 'bot']);
    expect(other.code).toBe(3);
    expect(other.stderr.split('\n')[0]).toBe(result.stderr.split('\n')[0]);
  });

  it('says the same in --json', async () => {
    const result = await store.run(['status', '--json']);
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'not_found', exit: 3, hint: expect.stringContaining('agent-vault init') } });
  });

  it('still lists a store that exists and has no agents', async () => {
    await store.init();
    expect(await store.run(['status', '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
  });
});

describe('mistyped command words', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  it.each([
    [['audit', 'verfy'], 'audit verify'],
    [['credential', 'shwo'], 'show'],
    [['config', 'lst'], 'list'],
    [['credntial', 'list'], 'credential'],
  ])('%j is exit 2 suggesting %s', async (args, meant) => {
    const result = await store.run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`(Did you mean ${meant}?)`);
  });

  it('does not take injct for init', async () => {
    const result = await store.run(['injct', '-i', 'template']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'injct'");
    expect(result.stderr).not.toContain('init');
  });

  it('keeps the suggestion in the --json error', async () => {
    const result = await store.run(['audit', 'verfy', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({ error: { code: 'usage', exit: 2, message: "unknown command 'audit verfy'\n(Did you mean audit verify?)" } });
  });

  it('has config list, with --json', async () => {
    expect((await store.run(['config', 'set', 'default-agent', 'researcher'])).code).toBe(0);
    const listed = await store.run(['config', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/default-agent\s+researcher/);
    expect(JSON.parse((await store.run(['config', 'list', '--json'])).stdout)).toEqual({ 'default-agent': 'researcher' });
  });

  it('lists every setting of the registry once each is set, in the table and with --json', async () => {
    // A Record over the names: a new setting does not compile here until it has a value.
    const values: Record<SettingName, string> = { 'default-agent': 'researcher', 'default-store': join(store.root, 'elsewhere') };
    for (const name of SETTING_NAMES) expect((await store.run(['config', 'set', name, values[name]])).code, name).toBe(0);
    const rows = (await store.run(['config', 'list'])).stdout.trim().split('\n').map((line) => line.split(/\s+/));
    expect(rows).toEqual(SETTING_NAMES.map((name) => [name, values[name]]));
    expect(JSON.parse((await store.run(['config', 'list', '--json'])).stdout)).toEqual(values);
  });
});
