/**
 * `export` through the CLI: owner only, asked first (refused off a terminal without
 * --yes), stdout only; `json` keeps everything, TOTP secrets included, and `export json
 * | import json` and `export dotenv | import dotenv` give back the same vault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore, type RunResult } from '../helpers/in-process.js';

const TOTP = 'JBSWY3DPEHPK3PXP';
/** Stored without a trailing newline: `KEY=-` takes one off. dotenv can carry a CR only inside double quotes, so no `"` here. */
const MULTILINE = "-----BEGIN KEY-----\nline two\r\nline three with 'single' and `back` quotes\n-----END KEY-----";

let store: TempStore;

beforeAll(async () => {
  store = new TempStore();
  await store.init();
  for (const agent of ['source', 'copy', 'plain', 'plaincopy', 'odd']) await store.provision(agent);
  const as = (args: string[], input?: string): Promise<RunResult> => store.owner([...args, '--agent', 'source'], input === undefined ? {} : { input });
  const adds: Array<[string[], string | undefined]> = [
    [['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'octo', '--uri', 'https://github.com', '--tag', 'scm', '--name', 'GitHub', '--totp', TOTP, '--password-stdin'], 'gh-secret'],
    [['credential', 'add', 'NOTE', '--type', 'secure_note', '--name', 'Recovery', '--notes-stdin'], 'recovery\ncodes\n'],
    [['credential', 'add', 'CARD', '--type', 'card', '--cardholder', 'A Bot', '--expiry', '12/29', '--number-stdin'], '4111111111111111'],
    [['credential', 'add', 'ME', '--type', 'identity', '--full-name', 'Ada Bot', '--email', 'ada@example.com'], undefined],
    [['credential', 'set', 'PEM=-'], `${MULTILINE}\n`],
    [['credential', 'set', 'TOKEN=tok-123'], undefined],
  ];
  for (const [args, input] of adds) expect((await as(args, input)).code, args.join(' ')).toBe(0);
  for (const [key, value] of [['PEM', MULTILINE], ['TOKEN', 'tok-123'], ['SPACED', '  padded value  '], ['BACKSLASH', 'C:\\path\\']]) {
    expect((await store.owner(['credential', 'set', `${key}=-`, '--agent', 'plain'], { input: `${value}\n` })).code).toBe(0);
  }
});
afterAll(() => store.cleanup());

const exportOf = (agent: string, ...extra: string[]): Promise<RunResult> => store.owner(['export', '--agent', agent, '--yes', ...extra]);

/** An export document without what differs between two vaults of the same content. */
function content(stdout: string): unknown {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  return { ...doc, agent: undefined, exported: undefined };
}

describe('export', () => {
  it('prints every credential with every secret as JSON, TOTP secret included', async () => {
    const result = await exportOf('source');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as { format: string; version: number; agent: string; credentials: Array<{ key: string; fields: Record<string, string> }> };
    expect(doc).toMatchObject({ format: 'agent-vault-export', version: 1, agent: 'source' });
    expect(doc.credentials.map((c) => c.key)).toEqual(['CARD', 'GITHUB', 'ME', 'NOTE', 'PEM', 'TOKEN']);
    expect(doc.credentials.find((c) => c.key === 'GITHUB')).toMatchObject({
      type: 'login',
      name: 'GitHub',
      tags: ['scm'],
      uris: ['https://github.com'],
      fields: { password: 'gh-secret', username: 'octo', totp: `otpauth://totp/?secret=${TOTP}&algorithm=SHA1&digits=6&period=30` },
    });
    expect(doc.credentials.find((c) => c.key === 'PEM')?.fields.value).toBe(MULTILINE);
  });

  it('round-trips: export json | import json gives a vault whose export is the same', async () => {
    const first = await exportOf('source');
    const imported = await store.owner(['import', 'json', '-', '--agent', 'copy'], { input: first.stdout });
    expect(imported.code, imported.stderr).toBe(0);
    const second = await exportOf('copy');
    expect(content(second.stdout)).toEqual(content(first.stdout));
    expect((await store.owner(['totp', 'GITHUB', '--agent', 'copy'])).stdout).toBe((await store.owner(['totp', 'GITHUB', '--agent', 'source'])).stdout);
  });

  it('round-trips: export dotenv | import dotenv gives the same values, multi-line, CR and padding included', async () => {
    const first = await exportOf('plain', '--format', 'dotenv');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^# agent-vault export of the vault of agent plain, /);
    expect(first.stdout).toContain('BACKSLASH=C:\\path\\\n');
    const imported = await store.owner(['import', 'dotenv', '-', '--agent', 'plaincopy'], { input: first.stdout });
    expect(imported.code, imported.stderr).toBe(0);
    const json = (agent: string): Promise<unknown> => exportOf(agent).then((r) => (JSON.parse(r.stdout) as { credentials: Array<Record<string, unknown>> }).credentials.map(({ key, type, fields, name, tags }) => ({ key, type, fields, name, tags })));
    expect(await json('plaincopy')).toEqual(await json('plain'));
    const second = await exportOf('plaincopy', '--format', 'dotenv');
    expect(second.stdout.split('\n').slice(1)).toEqual(first.stdout.split('\n').slice(1));
  });

  it('writes the variables exec would set as dotenv, says what it leaves out, and never the TOTP secret', async () => {
    const result = await exportOf('source', '--format', 'dotenv');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("GITHUB_PASSWORD='gh-secret'\n");
    expect(result.stdout).toContain("GITHUB_USERNAME='octo'\n");
    expect(result.stdout).toContain("CARD_NUMBER='4111111111111111'\n");
    expect(result.stdout).not.toContain(TOTP);
    expect(result.stderr).toBe('dotenv keeps only the values exec would set: types, names, tags, URIs and TOTP secrets are left out; --format json keeps them\n');
  });

  it('refuses a value no dotenv quoting reads back, naming its key, and prints nothing', async () => {
    expect((await store.owner(['credential', 'set', 'ODD=-', '--agent', 'odd'], { input: `'"\`\nsecond line\n` })).code).toBe(0);
    const result = await exportOf('odd', '--format', 'dotenv');
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('error: the value of ODD cannot be written as a dotenv line that reads back the same');
    expect(result.stderr).toContain('hint: use --format json');
  });

  it('is for the owner only: an agent token is exit 5, with nothing on stdout', async () => {
    const token = await store.provision('tokened');
    const result = await store.agent(token, ['export', '--yes']);
    expect(result).toMatchObject({ code: 5, stdout: '' });
  });

  it('asks first: off a terminal without --yes it is refused (exit 2) and prints nothing', async () => {
    const result = await store.owner(['export', '--agent', 'source']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('pass --yes to confirm');
  });

  it('is exit 3 for an agent that does not exist, and refuses an unknown format', async () => {
    expect((await exportOf('nobody')).code).toBe(3);
    expect((await exportOf('source', '--format', 'xml')).code).toBe(2);
  });

  it('records one credential.export event in the vault\'s log', async () => {
    const before = JSON.parse((await store.owner(['audit', '--json', '--agent', 'source', '--action', 'credential.export'])).stdout) as unknown[];
    expect((await exportOf('source')).code).toBe(0);
    const after = JSON.parse((await store.owner(['audit', '--json', '--agent', 'source', '--action', 'credential.export'])).stdout) as Array<{ actor: string; result: string; key?: string }>;
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ actor: 'owner', agent: 'source', action: 'credential.export', result: 'ok' });
    expect(after.at(-1)?.key).toBeUndefined();
  });
});
