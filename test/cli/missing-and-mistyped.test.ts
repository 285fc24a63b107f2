/**
 * A store that does not exist (status says so, exit 3, naming init) and mistyped
 * command words (commander's unknown-command error with core/suggest.ts's ranking).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
