import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/audit-event.js';
import { parseAuditLine, type AuditKeyring } from '../../../src/format/audit-line.js';
import { checkAuditLog } from '../../../src/format/audit-chain.js';
import { planAuditAppend, planAuditBatch, planHeadReanchor } from '../../../src/format/audit-append.js';
import { agentLog } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { buildLog, join as joinLines } from '../format/audit-log-builder.js';

const event: AuditEvent = { actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'API_KEY', result: 'ok' };

describe('audit appends to a directory store (planAuditAppend over DirectoryBackend.audit)', () => {
  let dir: string;
  let log: string;
  let head: string;
  const keyring: AuditKeyring = { keys: [randomBytes(32)] };
  const LOG = agentLog('bot1');
  const backend = () => new DirectoryBackend(dir, 1000);
  const append = async (ring: AuditKeyring | null = keyring, e: AuditEvent = event): Promise<'appended' | 'superseded'> => {
    let superseded = false;
    await backend().audit.append(LOG, async (tail) => {
      const plan = await planAuditAppend(tail, e, { now: new Date(), pid: process.pid, host: 'test', ...(ring ? { keyring: ring } : {}) });
      superseded = plan === 'superseded';
      return plan === 'superseded' ? undefined : { lines: [plan.line], ...(plan.head === undefined ? {} : { head: plan.head }) };
    });
    return superseded ? 'superseded' : 'appended';
  };
  const problems = async (ring: AuditKeyring | undefined = keyring, requireKeyed = true) => {
    const { text, head } = await backend().audit.read(LOG);
    return checkAuditLog(text, head, { ...(ring ? { keyring: ring } : {}), requireKeyed }).problems;
  };
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-audit-'));
    log = join(dir, 'vaults', 'bot1.audit.jsonl');
    head = join(dir, 'vaults', 'bot1.audit.head');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the log and its head 0600 and chains every line', async () => {
    for (let i = 0; i < 5; i += 1) await append();
    expect(lines().map((l) => parseAuditLine(l).seq)).toEqual([1, 2, 3, 4, 5]);
        expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(head).mode & 0o777).toBe(0o600);
    expect(await problems()).toEqual([]);
  });

  it('starts a new line after a torn one, and verify reports only the torn line', async () => {
    await append();
    appendFileSync(log, '{"v":1,"seq":2,"ts":');
    await append();
    await append();
    expect(lines()).toHaveLength(4);
    expect(await problems()).toEqual([expect.objectContaining({ line: 2 })]);
    expect(parseAuditLine(lines()[2]!).seq).toBe(2);
  });

  it('rolls the head forward after a crash left it one line behind', async () => {
    await append();
    const before = readFileSync(head);
    await append();
    writeFileSync(head, before);
    expect(await problems()).toEqual([]);
    await append();
    expect(await problems()).toEqual([]);
    expect(lines().map((l) => parseAuditLine(l).seq)).toEqual([1, 2, 3]);
  });

  it('keeps the gap visible when lines were cut off before an append', async () => {
    for (let i = 0; i < 4; i += 1) await append();
    writeFileSync(log, lines().slice(0, 2).map((l) => `${l}\n`).join(''));
    await append();
    expect((await problems())[0]).toEqual(expect.objectContaining({ line: 3, message: expect.stringMatching(/seq 5 where 3/) }));
  });

  it('never vouches for a log whose head was replaced by someone without the key', async () => {
    for (let i = 0; i < 4; i += 1) await append();
    const kept = lines().slice(0, 2);
    writeFileSync(log, kept.map((l) => `${l}\n`).join(''));
    const last = parseAuditLine(kept[1]!);
    const forged = JSON.parse(readFileSync(head, 'utf8')) as Record<string, unknown>;
    writeFileSync(head, `${JSON.stringify({ v: 1, seq: last.seq, hash: forged.hash, keyed: forged.keyed })}\n`);
    await append();
    expect((await problems()).length).toBeGreaterThan(0);
  });

  it('lets an unkeyed appender extend the store log without dropping the keyed anchor', async () => {
    await append();
    await append(null, { actor: 'unknown', agent: 'bot1', action: 'auth.denied', result: 'denied', reason: 'token does not open the vault' });
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ seq: 2, keyed: { seq: 1 } });
    expect(await problems(keyring, false)).toEqual([]);
    writeFileSync(log, `${lines()[0]}\n`);
    expect((await problems(keyring, false))[0]!.message).toMatch(/cut off the end/);
  });

  it('re-keys the head for a new epoch, after which an appender with only the old key writes nothing', async () => {
    await append();
    await append();
    const rotated: AuditKeyring = { keys: [...keyring.keys, randomBytes(32)] };
    await backend().audit.rewriteHead(LOG, (tail) => planHeadReanchor(tail, keyring, rotated));
    const before = readFileSync(log, 'utf8');
    expect(await append(keyring)).toBe('superseded');
    expect(readFileSync(log, 'utf8')).toBe(before);
    expect(await append(rotated)).toBe('appended');
    expect(await append(keyring)).toBe('superseded');
    expect(lines().map((l) => parseAuditLine(l).epoch)).toEqual([0, 0, 1]);
    expect(await problems(rotated)).toEqual([]);
  });
});

describe('one append of a batch of lines (planAuditBatch over DirectoryBackend.audit)', () => {
  const keyring: AuditKeyring = { keys: [randomBytes(32)] };
  const LOG = agentLog('bot1');
  const now = new Date('2026-01-02T03:04:05.000Z');
  const events: AuditEvent[] = ['A', 'B', 'C', 'D'].map((key) => ({ actor: 'owner', agent: 'bot1', action: 'credential.set', key, result: 'ok' }));
  let dirs: string[] = [];
  const made = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-vault-batch-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  const context = (ring: AuditKeyring | undefined) => ({ now, pid: 7, host: 'test', ...(ring ? { keyring: ring } : {}) });
  const oneByOne = async (dir: string, ring: AuditKeyring | undefined, list: AuditEvent[]): Promise<void> => {
    for (const e of list) {
      await new DirectoryBackend(dir, 1000).audit.append(LOG, async (tail) => {
        const plan = await planAuditAppend(tail, e, context(ring));
        return plan === 'superseded' ? undefined : { lines: [plan.line], ...(plan.head === undefined ? {} : { head: plan.head }) };
      });
    }
  };
  const batch = async (dir: string, ring: AuditKeyring | undefined, list: AuditEvent[]): Promise<boolean> =>
    new DirectoryBackend(dir, 1000).audit.append(LOG, async (tail) => {
      const plan = await planAuditBatch(tail, list, context(ring));
      return plan === 'superseded' ? undefined : plan;
    });
  const logFile = (dir: string): string => join(dir, 'vaults', 'bot1.audit.jsonl');
  const headFile = (dir: string): string => join(dir, 'vaults', 'bot1.audit.head');
  const files = (dir: string) => ({ text: readFileSync(logFile(dir), 'utf8'), head: readFileSync(headFile(dir), 'utf8') });
  /** How each pair of logs is made before the batch: the same way in both. */
  const states: Array<[string, (dir: string) => Promise<void>]> = [
    ['a fresh log', async () => undefined],
    [
      'a head one line behind',
      async (dir) => {
        await oneByOne(dir, keyring, events.slice(0, 1));
        const behind = readFileSync(headFile(dir));
        await oneByOne(dir, keyring, events.slice(1, 2));
        writeFileSync(headFile(dir), behind);
      },
    ],
    [
      'a torn last line',
      async (dir) => {
        await oneByOne(dir, keyring, events.slice(0, 2));
        appendFileSync(logFile(dir), '{"v":1,"seq":3,"ts":');
      },
    ],
    [
      'lines cut off the end',
      async (dir) => {
        await oneByOne(dir, keyring, events.slice(0, 3));
        writeFileSync(logFile(dir), `${readFileSync(logFile(dir), 'utf8').split('\n')[0]}\n`);
      },
    ],
  ];

  it.each(states)('writes, after %s, the lines and head that appending each event alone writes', async (_name, prepare) => {
    const [single, batched] = [made(), made()];
    for (const dir of [single, batched]) await prepare(dir);
    await oneByOne(single, keyring, events);
    expect(await batch(batched, keyring, events)).toBe(true);
    expect(files(batched)).toEqual(files(single));
    expect(files(batched).text.split('\n').filter((l) => l.includes('"credential.set"')).length).toBeGreaterThanOrEqual(events.length);
  });

  it.each([3, 600])('continues the chain after a crash left the head behind a batch of %i lines (more than the tail window holds)', async (count) => {
    const dir = made();
    await oneByOne(dir, keyring, events.slice(0, 1));
    const behind = readFileSync(headFile(dir));
    const many = Array.from({ length: count }, (_, i): AuditEvent => ({ ...events[0]!, key: `KEY_${i}_${'x'.repeat(200)}` }));
    await batch(dir, keyring, many);
    writeFileSync(headFile(dir), behind);
    if (count > 3) expect(readFileSync(logFile(dir)).length).toBeGreaterThan(64 * 1024);
    await oneByOne(dir, keyring, events.slice(1, 2));
    expect(checkAuditLog(files(dir).text, files(dir).head, { keyring, requireKeyed: true }).problems).toEqual([]);
    expect(JSON.parse(files(dir).head)).toMatchObject({ seq: count + 2 });
  });

  it('after a crash tore a batch after 2 lines and left the head behind, an append continues the chain and verify reports only the torn line', async () => {
    const dir = made();
    await oneByOne(dir, keyring, events.slice(0, 1));
    const behind = readFileSync(headFile(dir));
    await batch(dir, keyring, events);
    const [first, second, third, third2] = files(dir).text.split('\n');
    expect(third2).toBeDefined();
    // What a SIGKILL in the middle of the batch's write leaves: two whole lines and part of the third.
    writeFileSync(logFile(dir), `${first}\n${second}\n${third}\n${third2!.slice(0, 40)}`);
    writeFileSync(headFile(dir), behind);
    await oneByOne(dir, keyring, events.slice(0, 1));
    const { text, head } = files(dir);
    expect(checkAuditLog(text, head, { keyring, requireKeyed: true }).problems).toEqual([{ line: 4, message: expect.stringMatching(/torn by a crash/) }]);
    expect(text.split('\n').slice(0, -1).map((l, i) => (i === 3 ? 'torn' : parseAuditLine(l).seq))).toEqual([1, 2, 3, 'torn', 4]);
    expect(JSON.parse(head)).toMatchObject({ seq: 4 });
  });

  /** Writes a log and head as given, then appends one line with `ring`: the seq it got. */
  const appendAfter = async (text: string, headText: string, ring: AuditKeyring | undefined): Promise<number> => {
    const dir = made();
    mkdirSync(join(dir, 'vaults'), { recursive: true, mode: 0o700 });
    writeFileSync(logFile(dir), text, { mode: 0o600 });
    writeFileSync(headFile(dir), headText, { mode: 0o600 });
    await oneByOne(dir, ring, events.slice(0, 1));
    return parseAuditLine(files(dir).text.split('\n').at(-2)!).seq;
  };

  it('does not adopt lines past a lagging head when one beyond the tail window does not verify', async () => {
    const forger: AuditKeyring = { keys: [keyring.keys[0]!, randomBytes(32)] };
    const count = 600;
    // Seq 100 is keyed with a key the appender does not hold; every other line with its key, all chained.
    const log = buildLog(count, forger, { keyFor: (seq) => (seq === 100 ? 1 : 0) });
    expect(Buffer.byteLength(joinLines(log.lines.slice(100)))).toBeGreaterThan(64 * 1024);
    const behind = buildLog(1, keyring).head;
    expect(await appendAfter(log.text, behind, keyring)).toBe(2);
    expect(await appendAfter(buildLog(count, keyring).text, behind, keyring)).toBe(count + 1);
  });

  it('lets an unkeyed appender adopt one batch past a lagging head, and no more', async () => {
    const sameWriter = { ts: '2026-01-02T03:04:05.000Z' } as Partial<AuditEvent>;
    // Lines 3 to 5 of one append share their time, pid and host; of three appends they do not.
    expect(await appendAfter(buildLog(5, undefined).text, buildLog(2, undefined).head, undefined)).toBe(3);
    const rechained = buildLog(5, undefined, { event: sameWriter });
    expect(await appendAfter(rechained.text, buildLog(2, undefined, { event: sameWriter }).head, undefined)).toBe(6);
  });

  it('keeps the gap visible when a line after the head does not chain', async () => {
    const dir = made();
    await oneByOne(dir, keyring, events.slice(0, 1));
    const behind = readFileSync(headFile(dir));
    await batch(dir, keyring, events.slice(1, 4));
    writeFileSync(headFile(dir), behind);
    const text = files(dir).text.split('\n');
    // The batch's middle line swapped for a copy of its first: each still verifies alone.
    writeFileSync(logFile(dir), [text[0], text[1], text[1], text[3], ''].join('\n'));
    await oneByOne(dir, keyring, events.slice(0, 1));
    expect(parseAuditLine(files(dir).text.split('\n')[4]!).seq).toBe(2);
    // Verify reports the swapped line, and the new line does not hide it: it is out of place too.
    expect(checkAuditLog(files(dir).text, files(dir).head, { keyring, requireKeyed: true }).problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, message: expect.stringMatching(/seq 2 where 3 was expected/) }),
        expect.objectContaining({ line: 5, message: expect.stringMatching(/seq 2 where 5 was expected/) }),
      ]),
    );
  });

  it('chains an unkeyed batch after keyed lines as one-by-one appends do, keeping the keyed anchor', async () => {
    const [single, batched] = [made(), made()];
    const denied: AuditEvent[] = events.map((e) => ({ ...e, actor: 'unknown', action: 'auth.denied', result: 'denied' }));
    for (const dir of [single, batched]) await oneByOne(dir, keyring, events.slice(0, 1));
    await oneByOne(single, undefined, denied);
    await batch(batched, undefined, denied);
    expect(files(batched)).toEqual(files(single));
    expect(JSON.parse(files(batched).head)).toMatchObject({ seq: 5, keyed: { seq: 1 } });
    expect(checkAuditLog(files(batched).text, files(batched).head, { keyring, requireKeyed: false }).problems).toEqual([]);
  });

  it('writes nothing of a batch when the head is keyed with a newer epoch', async () => {
    const dir = made();
    await oneByOne(dir, keyring, events.slice(0, 1));
    const rotated: AuditKeyring = { keys: [...keyring.keys, randomBytes(32)] };
    await new DirectoryBackend(dir, 1000).audit.rewriteHead(LOG, (tail) => planHeadReanchor(tail, keyring, rotated));
    const before = files(dir);
    expect(await batch(dir, keyring, events)).toBe(false);
    expect(files(dir)).toEqual(before);
  });
});

describe('DirectoryBackend.audit.restore', () => {
  it('writes a log and its head as given, 0600, and never over an existing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-vault-restore-'));
    try {
      const backend = new DirectoryBackend(dir, 1000);
      await backend.audit.restore(agentLog('bot1'), 'line\n', 'head\n');
      expect(await backend.audit.read(agentLog('bot1'))).toEqual({ text: 'line\n', head: 'head\n' });
      expect(statSync(join(dir, 'vaults', 'bot1.audit.jsonl')).mode & 0o777).toBe(0o600);
      await expect(backend.audit.restore(agentLog('bot1'), 'other\n', undefined)).rejects.toThrow(/changed/);
      expect(readFileSync(join(dir, 'vaults', 'bot1.audit.jsonl'), 'utf8')).toBe('line\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
