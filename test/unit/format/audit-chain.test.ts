import { describe, expect, it } from 'vitest';
import { checkAuditLog } from '../../../src/format/audit-chain.js';
import { currentKey, encodeAuditHead, encodeAuditLine, hashAuditLine, parseAuditLine, signAnchor } from '../../../src/format/audit-line.js';
import { buildLog, join, newKeyring } from './audit-log-builder.js';

const keyring = newKeyring();
const log = buildLog(6, keyring);
const check = (text: string, head: string | undefined = log.head, options = { keyring, requireKeyed: true }) => checkAuditLog(text, head, options);
const problemLines = (text: string, head?: string) => check(text, head).problems.map((p) => p.line);

describe('checkAuditLog', () => {
  it('accepts an intact log and reports its newest seq and hash', () => {
    const result = check(log.text);
    expect(result.problems).toEqual([]);
    expect(result.lines).toBe(6);
    expect(result.last).toEqual({ seq: 6, hash: hashAuditLine(log.lines[5]!) });
  });

  it('catches an edited field by its MAC', () => {
    const lines = [...log.lines];
    lines[2] = lines[2]!.replace('"ok"', '"error"');
    expect(problemLines(join(lines))[0]).toBe(3);
  });

  it('catches an edited field without keys, by the chain', () => {
    const lines = [...log.lines];
    lines[2] = lines[2]!.replace('"ok"', '"error"');
    expect(checkAuditLog(join(lines), log.head, { requireKeyed: false }).problems.map((p) => p.line)).toEqual([4]);
  });

  it('catches a removed, an inserted and a swapped line', () => {
    expect(problemLines(join(log.lines.filter((_, i) => i !== 1)))[0]).toBe(2);
    const copied = parseAuditLine(log.lines[2]!);
    delete copied.epoch;
    delete copied.mac;
    const forged = encodeAuditLine({ ...copied, seq: 4, prev: hashAuditLine(log.lines[2]!) });
    expect(problemLines(join([...log.lines.slice(0, 3), forged, ...log.lines.slice(3)]))[0]).toBe(4);
    const swapped = [...log.lines];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(problemLines(join(swapped))[0]).toBe(2);
  });

  it('requires a log that must exist, its head, and its keyed origin line', () => {
    const provisioned = buildLog(3, keyring, { event: { action: 'agent.provision' } });
    const options = { keyring, requireKeyed: true, origin: 'agent.provision' };
    expect(checkAuditLog(provisioned.text, provisioned.head, options).problems).toEqual([]);
    expect(checkAuditLog(undefined, undefined, options).problems.map((p) => p.message)).toEqual([
      'the log file is missing, though it must begin with agent.provision: it was deleted',
      'its head file is missing: whether lines were cut off the end cannot be checked',
    ]);
    expect(checkAuditLog('', undefined, options).problems.map((p) => p.message)).toEqual(['its head file is missing: whether lines were cut off the end cannot be checked']);
    expect(checkAuditLog(log.text, log.head, options).problems).toEqual([
      { line: 1, message: 'the log begins with a credential.get line, not a keyed agent.provision: it was deleted and begun again, or its start was cut' },
    ]);
    const unkeyed = buildLog(2, undefined, { event: { action: 'store.init' } });
    expect(checkAuditLog(unkeyed.text, unkeyed.head, { requireKeyed: false, origin: 'store.init' }).problems.map((p) => p.line)).toEqual([1]);
    // Without an origin (a retired log), a missing log is a problem only when its head is left.
    expect(checkAuditLog(undefined, undefined, { keyring, requireKeyed: true }).problems).toEqual([]);
    expect(checkAuditLog(undefined, log.head, { keyring, requireKeyed: true }).problems[0]!.message).toBe('the log file is missing but its head file is there: the log was deleted');
  });

  it('catches lines cut off the end, and a missing or forged head', () => {
    expect(check(join(log.lines.slice(0, 4))).problems[0]!.message).toMatch(/cut off the end/);
    expect(checkAuditLog(log.text, undefined, { keyring, requireKeyed: true }).problems[0]!.message).toMatch(/head file is missing/);
    const forgedHead = encodeAuditHead({ seq: 4, hash: hashAuditLine(log.lines[3]!), keyed: signAnchor(4, hashAuditLine(log.lines[3]!), currentKey(newKeyring())) });
    expect(check(join(log.lines.slice(0, 4)), forgedHead).problems[0]!.message).toMatch(/MAC of its head/);
    const unkeyedHead = encodeAuditHead({ seq: 4, hash: hashAuditLine(log.lines[3]!) });
    expect(check(join(log.lines.slice(0, 4)), unkeyedHead).problems[0]!.message).toMatch(/head file is not keyed/);
  });

  it('allows lines past the head that verify (a head lost in a crash), not forged ones', () => {
    const behind = encodeAuditHead({ seq: 5, hash: hashAuditLine(log.lines[4]!), keyed: signAnchor(5, hashAuditLine(log.lines[4]!), currentKey(keyring)) });
    expect(check(log.text, behind).problems).toEqual([]);
  });

  it('reports a torn last line', () => {
    const result = check(`${log.text}{"v":1,"seq":7,`);
    expect(result.problems).toEqual([expect.objectContaining({ line: 7, message: expect.stringMatching(/incomplete/) })]);
  });

  it('requires every line of an agent log to be keyed, but allows unkeyed lines in the store log', () => {
    const mixed = buildLog(4, keyring, { keyFor: (seq) => (seq === 3 ? undefined : 0) });
    expect(checkAuditLog(mixed.text, mixed.head, { keyring, requireKeyed: true }).problems.map((p) => p.line)).toEqual([3]);
    expect(checkAuditLog(mixed.text, mixed.head, { keyring, requireKeyed: false }).problems).toEqual([]);
  });

  it('rejects a line keyed with a retired epoch after a newer one, and a head rolled back to an old epoch', () => {
    const rotated = newKeyring(2);
    const ok = buildLog(4, rotated, { keyFor: (seq) => (seq <= 2 ? 0 : 1) });
    expect(checkAuditLog(ok.text, ok.head, { keyring: rotated, requireKeyed: true }).problems).toEqual([]);
    const back = buildLog(4, rotated, { keyFor: (seq) => (seq === 4 ? 0 : seq <= 2 ? 0 : 1) });
    expect(checkAuditLog(back.text, back.head, { keyring: rotated, requireKeyed: true }).problems.map((p) => p.line)).toEqual([4]);
    const old = buildLog(2, rotated, { keyFor: () => 0 });
    const oldHead = encodeAuditHead({ seq: 2, hash: hashAuditLine(old.lines[1]!), keyed: signAnchor(2, hashAuditLine(old.lines[1]!), { epoch: 0, key: rotated.keys[0]! }) });
    expect(checkAuditLog(old.text, oldHead, { keyring: rotated, requireKeyed: true }).problems[0]!.message).toMatch(/epoch 0, not the current 1/);
  });
});
