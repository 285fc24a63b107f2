/**
 * `import` through the CLI: every format into a vault, what each key holds afterwards,
 * TOTP codes against an independent implementation, the plan of --dry-run, each
 * --on-conflict policy, one write that is all or nothing, malformed inputs naming
 * their line or entry, who may import, and the audit trail. Files made by the real
 * tools (keepassxc-cli, pass with gpg) where this machine has them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kdbxweb from 'kdbxweb';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDBX_PASSWORD, makeDatabase } from '../helpers/kdbx.js';
import { TempStore, type RunResult } from '../helpers/in-process.js';
import { skipWithout } from '../helpers/tools.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string): string => join(FIXTURES, name);
/** The time every TOTP code here is compared at. */
const AT = '2031-05-01T00:00:07.000Z';

let store: TempStore;
let scratch: string;

beforeAll(async () => {
  store = new TempStore();
  await store.init();
  scratch = mkdtempSync(join(tmpdir(), 'agent-vault-import-'));
  store.clock.set(AT);
});
afterAll(() => {
  store.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

let agents = 0;
/** A fresh agent for one test, so tests do not share vaults. */
async function freshAgent(): Promise<{ agent: string; token: string }> {
  agents += 1;
  const agent = `imp${agents}`;
  return { agent, token: await store.provision(agent) };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

async function keys(agent: string): Promise<string[]> {
  const result = await store.owner(['credential', 'list', '--json', '--agent', agent]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as Array<{ key: string }>).map((c) => c.key);
}

async function get(agent: string, key: string, field?: string): Promise<string> {
  const result = await store.owner(['credential', 'get', key, '--agent', agent, ...(field ? ['--field', field] : [])]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.replace(/\n$/, '');
}

async function totp(agent: string, key: string): Promise<string> {
  const result = await store.owner(['totp', key, '--agent', agent]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

/** The independent oracle's code at {@link AT}. */
function oracle(secret: string, algorithm = 'SHA1', digits = 6, period = 30): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm, digits, period, timestamp: Date.parse(AT) });
}

function expectOk(result: RunResult): void {
  expect(result.code, result.stderr).toBe(0);
}

describe('import dotenv', () => {
  it('imports every variable as an api_key and prints the plan, no value in it', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'dotenv', fixture('sample.env'), '--agent', agent]);
    expectOk(result);
    expect(result.stdout).toBe(
      ['OPENAI_API_KEY\tapi_key\tadd\tline 2', 'DATABASE_URL\tapi_key\tadd\tline 3', 'REDIS_URL\tapi_key\tadd\tline 4', 'AWS_REGION\tapi_key\tadd\tline 5', 'PRIVATE_KEY\tapi_key\tadd\tline 6', 'GREETING\tapi_key\tadd\tline 9', 'HASHED\tapi_key\tadd\tline 10', ''].join('\n'),
    );
    expect(result.stderr).toBe(`imported 7 credential(s) into the vault of ${agent}\n`);
    expect(await get(agent, 'PRIVATE_KEY')).toBe('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----');
    expect(await get(agent, 'AWS_REGION')).toBe('eu-west-1');
    expect(await get(agent, 'HASHED')).toBe('pa#ss');
  });

  it('reads stdin for -', async () => {
    const { agent } = await freshAgent();
    expectOk(await store.owner(['import', 'dotenv', '-', '--agent', agent], { input: 'A_KEY=from-stdin\n' }));
    expect(await get(agent, 'A_KEY')).toBe('from-stdin');
  });

  it('--dry-run prints the plan (also as JSON) and writes nothing', async () => {
    const { agent } = await freshAgent();
    const dry = await store.owner(['import', 'dotenv', fixture('sample.env'), '--agent', agent, '--dry-run']);
    expectOk(dry);
    expect(dry.stdout.split('\n')[0]).toBe('OPENAI_API_KEY\tapi_key\tadd\tline 2');
    expect(dry.stderr).toBe(`dry run: 7 credential(s) would be imported into the vault of ${agent}; nothing was written\n`);
    const json = await store.owner(['import', 'dotenv', fixture('sample.env'), '--agent', agent, '--dry-run', '--json']);
    expectOk(json);
    expect(JSON.parse(json.stdout)).toMatchObject({ agent, dry_run: true, written: false, warnings: [], credentials: expect.arrayContaining([{ key: 'HASHED', type: 'api_key', action: 'add', source: 'line 10' }]) });
    expect(json.stdout).not.toContain('sk-proj-abc123');
    expect(await keys(agent)).toEqual([]);
  });

  it('refuses a malformed line, naming it, and imports nothing of the lines before it', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'dotenv', '-', '--agent', agent], { input: 'GOOD=1\nALSO_GOOD=2\nthis line is wrong\n' });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('error: dotenv: line 3: is not a NAME=value assignment; nothing was imported');
    expect(await keys(agent)).toEqual([]);
  });

  it('refuses a file that is not UTF-8 (exit 2) instead of storing U+FFFD', async () => {
    const { agent } = await freshAgent();
    const path = file('latin1.env', Buffer.from([0x4b, 0x3d, 0xe9, 0x0a]));
    const result = await store.owner(['import', 'dotenv', path, '--agent', agent]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not valid UTF-8 text/);
    expect(await keys(agent)).toEqual([]);
  });
});

describe('--on-conflict', () => {
  const input = 'EXISTING=imported-value\nNEW_ONE=new-value\n';
  let agent: string;

  beforeAll(async () => {
    ({ agent } = await freshAgent());
  });

  async function reset(): Promise<void> {
    for (const key of await keys(agent)) expectOk(await store.owner(['credential', 'delete', key, '--agent', agent, '--yes']));
    expectOk(await store.owner(['credential', 'set', 'EXISTING=vault-value', '--agent', agent]));
  }

  it('refuses by default with exit 2 naming the clashes, and writes nothing', async () => {
    await reset();
    const result = await store.owner(['import', 'dotenv', '-', '--agent', agent], { input });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`error: 1 imported key(s) already exist in the vault of ${agent}: EXISTING (line 1); nothing was imported`);
    expect(result.stderr).toContain('hint: choose with --on-conflict skip, overwrite or rename');
    expect(await keys(agent)).toEqual(['EXISTING']);
    // A dry run shows the whole plan, and ends as the import would.
    const dry = await store.owner(['import', 'dotenv', '-', '--agent', agent, '--dry-run'], { input });
    expect(dry.code).toBe(2);
    expect(dry.stdout).toBe('EXISTING\tapi_key\texists\tline 1\nNEW_ONE\tapi_key\tadd\tline 2\n');
  });

  it('skip keeps the vault\'s value and imports the rest', async () => {
    await reset();
    const result = await store.owner(['import', 'dotenv', '-', '--agent', agent, '--on-conflict', 'skip'], { input });
    expectOk(result);
    expect(result.stdout).toBe('EXISTING\tapi_key\tskip\tline 1\nNEW_ONE\tapi_key\tadd\tline 2\n');
    expect(result.stderr).toBe(`imported 1 credential(s) into the vault of ${agent}, 1 skipped\n`);
    expect(await get(agent, 'EXISTING')).toBe('vault-value');
    expect(await get(agent, 'NEW_ONE')).toBe('new-value');
  });

  it('overwrite replaces the value and keeps the credential\'s id', async () => {
    await reset();
    const id = (JSON.parse((await store.owner(['credential', 'get', 'EXISTING', '--json', '--agent', agent])).stdout) as { id: string }).id;
    expectOk(await store.owner(['import', 'dotenv', '-', '--agent', agent, '--on-conflict', 'overwrite'], { input }));
    expect(await get(agent, 'EXISTING')).toBe('imported-value');
    expect(await get(agent, id)).toBe('imported-value');
  });

  it('rename imports the clashing one as KEY_2', async () => {
    await reset();
    const result = await store.owner(['import', 'dotenv', '-', '--agent', agent, '--on-conflict', 'rename'], { input });
    expectOk(result);
    expect(result.stdout).toBe('EXISTING_2\tapi_key\trename from EXISTING\tline 1\nNEW_ONE\tapi_key\tadd\tline 2\n');
    expect(await get(agent, 'EXISTING')).toBe('vault-value');
    expect(await get(agent, 'EXISTING_2')).toBe('imported-value');
  });

  it('is refused for a policy it does not know', async () => {
    expect((await store.owner(['import', 'dotenv', '-', '--agent', agent, '--on-conflict', 'merge'], { input })).code).toBe(2);
  });
});

describe('import bitwarden-json', () => {
  it('imports every item type with its fields, companions for notes, and working TOTP', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'bitwarden-json', fixture('bitwarden.json'), '--agent', agent]);
    expectOk(result);
    expect(await keys(agent)).toEqual(['DEPLOY_KEY', 'DEPLOY_KEY_NOTES', 'GITHUB', 'GITHUB_2', 'GITHUB_NOTES', 'ME', 'ME_NOTES', 'OPENAI_API_KEY', 'VISA', 'VISA_NOTES', 'WI_FI_HOME']);
    expect(await get(agent, 'GITHUB')).toBe('gh-Sup3r-s3cret');
    expect(await get(agent, 'GITHUB', 'username')).toBe('octo-bot');
    expect(await get(agent, 'GITHUB', 'uris')).toBe('https://github.com/login\nhttps://api.github.com');
    expect(await get(agent, 'GITHUB_NOTES')).toBe('recovery codes: 1a2b3-4c5d6, 7e8f9-0a1b2\n\nPAT scope: repo, workflow\nbackup email: octo-backup@example.com');
    expect(await get(agent, 'VISA', 'expiry')).toBe('07/29');
    expect(await get(agent, 'ME', 'address')).toBe("12 St James's Square\nSW1Y 4JH London\nGB");
    expect(await totp(agent, 'GITHUB')).toBe(oracle('JBSWY3DPEHPK3PXP'));
    // A bare key in lower case with spaces, as Bitwarden accepts it.
    expect(await totp(agent, 'GITHUB_2')).toBe(oracle('JBSWY3DPEHPK3PXP'));
    const listed = JSON.parse((await store.owner(['credential', 'list', '--json', '--agent', agent])).stdout) as Array<{ key: string; tags: string[] }>;
    expect(listed.find((c) => c.key === 'GITHUB')?.tags).toEqual(['Work']);
  });

  it('imports nothing when one entry is bad, naming that entry and not its value', async () => {
    const { agent } = await freshAgent();
    const items = [
      { type: 1, name: 'Fine', login: { username: 'u', password: 'p' } },
      { type: 1, name: 'Broken TOTP', login: { username: 'u', password: 'p', totp: 'otpauth://totp/x?secret=NOT-BASE32-SECRET!' } },
    ];
    const result = await store.owner(['import', 'bitwarden-json', '-', '--agent', agent], { input: JSON.stringify({ encrypted: false, items }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: entry 2 (Broken TOTP): invalid TOTP secret');
    expect(result.stderr).not.toContain('NOT-BASE32');
    expect(await keys(agent)).toEqual([]);
  });
});

describe('import keepassxc-csv and 1password-csv', () => {
  it('imports a KeePassXC export whose TOTP codes match the oracle, Steam kept as notes with a warning', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'keepassxc-csv', fixture('keepassxc.csv'), '--agent', agent]);
    expectOk(result);
    expect(result.stderr).toContain('warning: line 8 (Steam): its one-time password is not a TOTP agent-vault can generate');
    expect(result.stderr).toContain('warning: line 5: empty: nothing to import');
    expect(await totp(agent, 'GITHUB')).toBe(oracle('JBSWY3DPEHPK3PXP'));
    expect(await totp(agent, 'BROKER')).toBe(oracle('GEZDGNBVGY3TQOJQGEZDGNBVGY', 'SHA1', 8));
    expect(await get(agent, 'GITHUB')).toBe('gh-pa"ss,word');
    expect(await get(agent, 'KONTOAUSZUG')).toBe('pässwörd-ß');
    expect((await store.owner(['totp', 'STEAM', '--agent', agent])).code).toBe(3);
    expect(await get(agent, 'STEAM_NOTES')).toMatch(/^otp: otpauth:\/\/totp\/Steam/);
  });

  it('imports a 1Password export', async () => {
    const { agent } = await freshAgent();
    expectOk(await store.owner(['import', '1password-csv', fixture('1password.csv'), '--agent', agent]));
    expect(await keys(agent)).toEqual(['AWS_ROOT', 'AWS_ROOT_NOTES', 'GITHUB', 'OLD_FORUM', 'RECOVERY_CODES', 'STRIPE_SECRET_KEY']);
    expect(await get(agent, 'AWS_ROOT')).toBe('aws,"quoted"pass');
    expect(await get(agent, 'STRIPE_SECRET_KEY')).toBe('sk_live_51Example');
    expect(await totp(agent, 'GITHUB')).toBe(oracle('JBSWY3DPEHPK3PXP'));
  });

  it('names the line of a malformed CSV', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'keepassxc-csv', '-', '--agent', agent], { input: '"Group","Title","Username","Password","URL","Notes"\n"Root","A","u","p","",""\n"Root","B","u"\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: keepassxc-csv: line 3: has a different number of fields than the header; nothing was imported');
    expect(await keys(agent)).toEqual([]);
  });
});

describe('import otpauth', () => {
  it('imports otpauth:// lines whose codes match the oracle for every algorithm', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'otpauth', '-', '--agent', agent], { input: readFileSync(fixture('otpauth.txt')) });
    expectOk(result);
    expect(await keys(agent)).toEqual(['ACME_CO', 'EXAMPLE', 'GITLAB', 'LEGACY', 'LEGACY_NOTES']);
    expect(await totp(agent, 'EXAMPLE')).toBe(oracle('JBSWY3DPEHPK3PXP'));
    expect(await totp(agent, 'ACME_CO')).toBe(oracle('HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ', 'SHA256', 8, 60));
    expect(await totp(agent, 'GITLAB')).toBe(oracle('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'SHA512'));
    expect(await get(agent, 'ACME_CO', 'username')).toBe('john.doe@example.com');
  });

  it('imports a Google Authenticator export URI', async () => {
    const { agent } = await freshAgent();
    // One account, "Google: alice@example.com", secret "12345678901234567890" (SHA1, 6 digits, TOTP).
    const payload = Buffer.from('0a370a14' + Buffer.from('12345678901234567890').toString('hex') + '1211616c696365406578616d706c652e636f6d1a06476f6f676c65200128013002' + '100118012000', 'hex');
    const result = await store.owner(['import', 'otpauth', '-', '--agent', agent], { input: `otpauth-migration://offline?data=${encodeURIComponent(payload.toString('base64'))}\n` });
    expectOk(result);
    expect(result.stdout).toBe('GOOGLE\tlogin\tadd\tline 1, account 1\n');
    expect(await totp(agent, 'GOOGLE')).toBe(oracle('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));
  });
});

describe('import kdbx', () => {
  let database: string;
  let passwordFile: string;

  beforeAll(async () => {
    database = file('db.kdbx', await makeDatabase(kdbxweb.Consts.KdfId.Argon2id));
    passwordFile = file('kdbx-password', `${KDBX_PASSWORD}\n`);
  });

  it('imports a database with the password from a file', async () => {
    const { agent } = await freshAgent();
    const result = await store.owner(['import', 'kdbx', database, '--agent', agent, '--kdbx-password-file', passwordFile]);
    expectOk(result);
    expect(result.stderr).toContain('warning: the recycle bin: its 1 entries are left out');
    expect(await keys(agent)).toEqual(['DB', 'GITHUB', 'GITHUB_NOTES', 'OLD_SITE', 'ROUTER', 'WI_FI']);
    expect(await get(agent, 'GITHUB')).toBe('gh-kdbx-secret');
    expect(await totp(agent, 'GITHUB')).toBe(oracle('JBSWY3DPEHPK3PXP'));
    expect(await totp(agent, 'DB')).toBe(oracle('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'SHA256', 8, 60));
  });

  it('is exit 4 with the wrong password, and exit 2 with no password and no terminal', async () => {
    const { agent } = await freshAgent();
    const wrong = await store.owner(['import', 'kdbx', database, '--agent', agent, '--kdbx-password-file', file('wrong', 'nope\n')]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('error: the password of the kdbx file is wrong');
    const none = await store.owner(['import', 'kdbx', database, '--agent', agent]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('hint: pass --kdbx-password-file F');
    expect((await store.owner(['import', 'dotenv', fixture('sample.env'), '--agent', agent, '--kdbx-password-file', passwordFile])).code).toBe(2);
    expect(await keys(agent)).toEqual([]);
  });

  it.skipIf(skipWithout('keepassxc-cli'))('imports a database and a CSV made by keepassxc-cli', async () => {
    const { agent } = await freshAgent();
    const dir = mkdtempSync(join(scratch, 'kxc-'));
    const xml = file('kxc-source.xml', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
      '<KeePassFile><Meta><Generator>test</Generator></Meta><Root><Group><UUID>U/g3N5YeR0m28qCMFfn11A==</UUID><Name>Passwords</Name>',
      '<Entry><UUID>LKnJvsNdQN2+AyptZuhy0w==</UUID><String><Key>Title</Key><Value>GitHub</Value></String><String><Key>UserName</Key><Value>octo-bot</Value></String>',
      '<String><Key>Password</Key><Value>gh-kxc-secret</Value></String><String><Key>URL</Key><Value>https://github.com</Value></String>',
      '<String><Key>otp</Key><Value>otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&amp;period=30&amp;digits=6&amp;issuer=GitHub</Value></String></Entry>',
      '<Group><UUID>Vvg3N5YeR0m28qCMFfn11A==</UUID><Name>Work</Name><Entry><UUID>MKnJvsNdQN2+AyptZuhy0w==</UUID><String><Key>Title</Key><Value>Broker</Value></String>',
      '<String><Key>UserName</Key><Value>ada</Value></String><String><Key>Password</Key><Value>br0ker</Value></String>',
      '<String><Key>TOTP Seed</Key><Value>GEZDGNBVGY3TQOJQGEZDGNBVGY</Value></String><String><Key>TOTP Settings</Key><Value>30;8</Value></String></Entry></Group>',
      '</Group></Root></KeePassFile>',
    ].join('\n'));
    const kxc = (args: string[]): string => {
      const run = spawnSync('keepassxc-cli', args, { input: `${KDBX_PASSWORD}\n${KDBX_PASSWORD}\n`, encoding: 'utf8', env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout;
    };
    const kdbx = join(dir, 'made-by-keepassxc.kdbx');
    kxc(['import', '-q', '-p', xml, kdbx]);
    const csv = file('made-by-keepassxc.csv', kxc(['export', '-q', '-f', 'csv', kdbx]));
    expectOk(await store.owner(['import', 'kdbx', kdbx, '--agent', agent, '--kdbx-password-file', passwordFile]));
    expectOk(await store.owner(['import', 'keepassxc-csv', csv, '--agent', agent, '--on-conflict', 'rename']));
    expect(await keys(agent)).toEqual(['BROKER', 'BROKER_2', 'GITHUB', 'GITHUB_2']);
    for (const key of ['GITHUB', 'GITHUB_2']) expect(await totp(agent, key)).toBe(oracle('JBSWY3DPEHPK3PXP'));
    for (const key of ['BROKER', 'BROKER_2']) expect(await totp(agent, key)).toBe(oracle('GEZDGNBVGY3TQOJQGEZDGNBVGY', 'SHA1', 8));
    expect(await get(agent, 'GITHUB_2')).toBe('gh-kxc-secret');
  });
});

describe.skipIf(skipWithout('gpg'))('import pass', () => {
  let gnupg: string;
  let fingerprint: string;
  const gpg = (args: string[], input?: string): string => {
    const run = spawnSync('gpg', ['--batch', '--quiet', ...args], { input, encoding: 'utf8', env: { ...process.env, GNUPGHOME: gnupg } });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  };

  beforeAll(() => {
    // A throwaway keyring with a key that has no passphrase.
    gnupg = mkdtempSync(join(tmpdir(), 'agent-vault-gnupg-'));
    gpg(['--passphrase', '', '--quick-gen-key', 'agent-vault test <test@example.com>', 'default', 'default', 'never']);
    fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-secret-keys']))![1]!;
  });
  afterAll(() => {
    spawnSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: gnupg } });
    rmSync(gnupg, { recursive: true, force: true });
  });

  /** A password store as pass lays it out: `.gpg-id`, one encrypted file per entry, folders. */
  function passStore(entries: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, 'pass-'));
    writeFileSync(join(dir, '.gpg-id'), `${fingerprint}\n`);
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'config'), '[core]\n');
    for (const [name, text] of Object.entries(entries)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      gpg(['--yes', '--trust-model', 'always', '--encrypt', '--recipient', fingerprint, '--output', join(dir, `${name}.gpg`)], text);
    }
    return dir;
  }

  it('decrypts every entry with gpg: first line the secret, known fields mapped, the rest as notes', async () => {
    const { agent } = await freshAgent();
    const dir = passStore({
      'email/work': 'mail-secret\nlogin: ada@example.com\nurl: https://mail.example.com\n',
      'dev/github.com': 'gh-pass-secret\nusername: octo-bot\notpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\nrecovery: 1111-2222\n',
      'api/openai': 'sk-pass-secret\n',
    });
    const result = await store.owner(['import', 'pass', dir, '--agent', agent], { env: { GNUPGHOME: gnupg } });
    expectOk(result);
    expect(result.stdout).toBe(
      'API_OPENAI\tapi_key\tadd\tapi/openai.gpg\nDEV_GITHUB_COM\tlogin\tadd\tdev/github.com.gpg\nDEV_GITHUB_COM_NOTES\tsecure_note\tadd\tdev/github.com.gpg, notes\nEMAIL_WORK\tlogin\tadd\temail/work.gpg\n',
    );
    expect(await get(agent, 'EMAIL_WORK')).toBe('mail-secret');
    expect(await get(agent, 'EMAIL_WORK', 'username')).toBe('ada@example.com');
    expect(await get(agent, 'EMAIL_WORK', 'uris')).toBe('https://mail.example.com');
    expect(await get(agent, 'API_OPENAI')).toBe('sk-pass-secret');
    expect(await get(agent, 'DEV_GITHUB_COM_NOTES')).toBe('recovery: 1111-2222');
    expect(await totp(agent, 'DEV_GITHUB_COM')).toBe(oracle('JBSWY3DPEHPK3PXP'));
  });

  it('imports nothing when gpg cannot decrypt an entry, and names it', async () => {
    const { agent } = await freshAgent();
    const dir = passStore({ good: 'fine\n' });
    writeFileSync(join(dir, 'broken.gpg'), 'not an OpenPGP message');
    const result = await store.owner(['import', 'pass', dir, '--agent', agent], { env: { GNUPGHOME: gnupg } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: pass: gpg could not decrypt broken.gpg');
    expect(await keys(agent)).toEqual([]);
    expect((await store.owner(['import', 'pass', '-', '--agent', agent])).code).toBe(2);
    expect((await store.owner(['import', 'pass', join(scratch, 'no-such-store'), '--agent', agent])).code).toBe(2);
  });

  it.skipIf(skipWithout('pass'))('imports a store made with pass insert', async () => {
    const { agent } = await freshAgent();
    const dir = mkdtempSync(join(scratch, 'pass-made-'));
    const env = { ...process.env, GNUPGHOME: gnupg, PASSWORD_STORE_DIR: dir };
    const pass = (args: string[], input?: string): void => {
      const run = spawnSync('pass', args, { input, encoding: 'utf8', env });
      expect(run.status, run.stderr).toBe(0);
    };
    pass(['init', fingerprint]);
    pass(['insert', '--multiline', 'web/example.com'], 'pass-made-secret\nlogin: ada\nurl: https://example.com\n');
    pass(['insert', '--echo', 'token'], 'tok-123\n');
    expectOk(await store.owner(['import', 'pass', dir, '--agent', agent], { env: { GNUPGHOME: gnupg } }));
    expect(await get(agent, 'WEB_EXAMPLE_COM')).toBe('pass-made-secret');
    expect(await get(agent, 'WEB_EXAMPLE_COM', 'username')).toBe('ada');
    expect(await get(agent, 'TOKEN')).toBe('tok-123');
  });
});

describe('who may import, and what the audit log says', () => {
  it('lets an agent import into its own vault, not another\'s (exit 5)', async () => {
    const { agent, token } = await freshAgent();
    const other = await freshAgent();
    expectOk(await store.agent(token, ['import', 'dotenv', '-'], { input: 'MINE=1\n' }));
    expect(await get(agent, 'MINE')).toBe('1');
    expect((await store.agent(token, ['import', 'dotenv', '-', '--agent', other.agent], { input: 'THEIRS=1\n' })).code).toBe(5);
    expect(await keys(other.agent)).toEqual([]);
  });

  it('records one credential.import event per key written, and none for a dry run or a refusal', async () => {
    const { agent } = await freshAgent();
    const input = 'FIRST=1\nSECOND=2\n';
    expectOk(await store.owner(['import', 'dotenv', '-', '--agent', agent, '--dry-run'], { input }));
    expectOk(await store.owner(['import', 'dotenv', '-', '--agent', agent], { input }));
    expect((await store.owner(['import', 'dotenv', '-', '--agent', agent], { input })).code).toBe(2);
    const audit = await store.owner(['audit', '--json', '--agent', agent, '--action', 'credential.import']);
    expectOk(audit);
    const lines = JSON.parse(audit.stdout) as Array<{ actor: string; action: string; key: string; result: string }>;
    expect(lines.map(({ actor, key, result }) => ({ actor, key, result }))).toEqual([
      { actor: 'owner', key: 'FIRST', result: 'ok' },
      { actor: 'owner', key: 'SECOND', result: 'ok' },
    ]);
    expect(audit.stdout).not.toMatch(/"value"/);
  });

  it('is exit 3 for an agent that does not exist, and exit 2 for a missing file', async () => {
    expect((await store.owner(['import', 'dotenv', fixture('sample.env'), '--agent', 'nobody'])).code).toBe(3);
    const missing = await store.owner(['import', 'dotenv', join(scratch, 'missing.env'), '--agent', 'nobody']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the import file');
  });
});
