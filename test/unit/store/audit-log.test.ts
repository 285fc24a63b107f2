import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/audit-event.js';
import { parseAuditLine, type AuditKeyring } from '../../../src/format/audit-line.js';
import { appendAuditEvent, reanchorAuditHead, verifyAuditLogFile } from '../../../src/store/audit-log.js';
import { auditHeadPath } from '../../../src/store/paths.js';

const event: AuditEvent = { actor: 'agent:bot1', agent: 'bot1', action: 'credential.get', key: 'API_KEY', result: 'ok' };

describe('appendAuditEvent', () => {
  let dir: string;
  let log: string;
  let head: string;
  const keyring: AuditKeyring = { keys: [randomBytes(32)] };
  const append = (ring: AuditKeyring | null = keyring, e: AuditEvent = event) =>
    appendAuditEvent(log, e, { now: new Date(), lockTimeoutMs: 1000, ...(ring ? { keyring: ring } : {}) });
  const problems = (ring: AuditKeyring | undefined = keyring, requireKeyed = true) =>
    verifyAuditLogFile(log, { ...(ring ? { keyring: ring } : {}), requireKeyed }).problems;
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-audit-'));
    log = join(dir, 'bot1.audit.jsonl');
    head = auditHeadPath(log);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the log and its head 0600 and chains every line', () => {
    for (let i = 0; i < 5; i += 1) append();
    expect(lines().map((l) => parseAuditLine(l).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(head).toBe(join(dir, 'bot1.audit.head'));
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(head).mode & 0o777).toBe(0o600);
    expect(problems()).toEqual([]);
  });

  it('starts a new line after a torn one, and verify reports only the torn line', () => {
    append();
    appendFileSync(log, '{"v":1,"seq":2,"ts":');
    append();
    append();
    expect(lines()).toHaveLength(4);
    expect(problems()).toEqual([expect.objectContaining({ line: 2 })]);
    expect(parseAuditLine(lines()[2]!).seq).toBe(2);
  });

  it('rolls the head forward after a crash left it one line behind', () => {
    append();
    const before = readFileSync(head);
    append();
    writeFileSync(head, before);
    expect(problems()).toEqual([]);
    append();
    expect(problems()).toEqual([]);
    expect(lines().map((l) => parseAuditLine(l).seq)).toEqual([1, 2, 3]);
  });

  it('keeps the gap visible when lines were cut off before an append', () => {
    for (let i = 0; i < 4; i += 1) append();
    writeFileSync(log, lines().slice(0, 2).map((l) => `${l}\n`).join(''));
    append();
    expect(problems()[0]).toEqual(expect.objectContaining({ line: 3, message: expect.stringMatching(/seq 5 where 3/) }));
  });

  it('never vouches for a log whose head was replaced by someone without the key', () => {
    for (let i = 0; i < 4; i += 1) append();
    const kept = lines().slice(0, 2);
    writeFileSync(log, kept.map((l) => `${l}\n`).join(''));
    const last = parseAuditLine(kept[1]!);
    const forged = JSON.parse(readFileSync(head, 'utf8')) as Record<string, unknown>;
    writeFileSync(head, `${JSON.stringify({ v: 1, seq: last.seq, hash: forged.hash, keyed: forged.keyed })}\n`);
    append();
    expect(problems().length).toBeGreaterThan(0);
  });

  it('lets an unkeyed appender extend the store log without dropping the keyed anchor', () => {
    append();
    append(null, { actor: 'unknown', agent: 'bot1', action: 'auth.denied', result: 'denied', reason: 'token does not open the vault' });
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ seq: 2, keyed: { seq: 1 } });
    expect(problems(keyring, false)).toEqual([]);
    writeFileSync(log, `${lines()[0]}\n`);
    expect(problems(keyring, false)[0]!.message).toMatch(/cut off the end/);
  });

  it('re-keys the head for a new epoch, after which an appender with only the old key writes nothing', () => {
    append();
    append();
    const rotated: AuditKeyring = { keys: [...keyring.keys, randomBytes(32)] };
    reanchorAuditHead(log, keyring, rotated, 1000);
    const before = readFileSync(log, 'utf8');
    expect(append(keyring)).toBe('superseded');
    expect(readFileSync(log, 'utf8')).toBe(before);
    expect(append(rotated)).toBe('appended');
    expect(append(keyring)).toBe('superseded');
    expect(lines().map((l) => parseAuditLine(l).epoch)).toEqual([0, 0, 1]);
    expect(problems(rotated)).toEqual([]);
  });
});
