import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAuditLineMac,
  encodeAuditHead,
  encodeAuditLine,
  GENESIS_HASH,
  parseAuditHead,
  parseAuditLine,
} from '../../../src/format/audit-line.js';
import { FormatError } from '../../../src/format/format-error.js';
import { buildLog, newKeyring } from './audit-log-builder.js';

const record = {
  v: 1 as const,
  seq: 1,
  ts: '2025-01-01T00:00:00.000Z',
  actor: 'owner',
  agent: 'bot1',
  action: 'credential.get',
  key: 'API_KEY',
  result: 'ok' as const,
  pid: 7,
  host: 'h',
  prev: GENESIS_HASH,
};

describe('audit lines', () => {
  it('round-trips unkeyed and keyed lines in the canonical field order', () => {
    const keyring = newKeyring();
    const unkeyed = encodeAuditLine(record);
    expect(Object.keys(JSON.parse(unkeyed))).toEqual(['v', 'seq', 'ts', 'actor', 'agent', 'action', 'key', 'result', 'pid', 'host', 'prev']);
    expect(parseAuditLine(unkeyed)).toEqual(record);
    const keyed = encodeAuditLine({ ...record, to: 'bot2', program: 'curl', reason: 'r' }, { epoch: 0, key: keyring.keys[0]! });
    expect(Object.keys(JSON.parse(keyed))).toEqual(['v', 'seq', 'ts', 'actor', 'agent', 'action', 'key', 'to', 'program', 'result', 'reason', 'pid', 'host', 'prev', 'epoch', 'mac']);
    expect(checkAuditLineMac(parseAuditLine(keyed), keyed, keyring)).toBe(true);
  });

  it('puts via and client (an MCP tool call) after request and before result, and keys them with the rest', () => {
    const keyring = newKeyring();
    const line = encodeAuditLine({ ...record, service: 'echo', via: 'mcp', client: 'claude-code' }, { epoch: 0, key: keyring.keys[0]! });
    expect(Object.keys(JSON.parse(line))).toEqual(['v', 'seq', 'ts', 'actor', 'agent', 'action', 'key', 'service', 'via', 'client', 'result', 'pid', 'host', 'prev', 'epoch', 'mac']);
    expect(parseAuditLine(line)).toMatchObject({ via: 'mcp', client: 'claude-code' });
    expect(checkAuditLineMac(parseAuditLine(line), line, keyring)).toBe(true);
    const forged = line.replace('"claude-code"', '"cursor"');
    expect(checkAuditLineMac(parseAuditLine(forged), forged, keyring)).toBe(false);
    expect(() => parseAuditLine(line.replace('"via":"mcp","client":"claude-code"', '"client":"claude-code","via":"mcp"'))).toThrow(FormatError);
    expect(() => parseAuditLine(encodeAuditLine(record).replace('"result"', '"via":7,"result"'))).toThrow(FormatError);
  });

  it('detects a changed field, a wrong key and an unknown epoch by the MAC', () => {
    const keyring = newKeyring();
    const keyed = encodeAuditLine(record, { epoch: 0, key: keyring.keys[0]! });
    const edited = keyed.replace('"API_KEY"', '"OTHER"');
    expect(checkAuditLineMac(parseAuditLine(edited), edited, keyring)).toBe(false);
    expect(checkAuditLineMac(parseAuditLine(keyed), keyed, newKeyring())).toBe(false);
    const later = encodeAuditLine(record, { epoch: 3, key: keyring.keys[0]! });
    expect(checkAuditLineMac(parseAuditLine(later), later, keyring)).toBe(false);
  });

  it.each([
    ['reordered fields', JSON.stringify({ seq: 1, v: 1 })],
    ['an unknown field', encodeAuditLine(record).replace('"host"', '"value":"x","host"')],
    ['extra whitespace', encodeAuditLine(record).replace(',', ', ')],
    ['a bad result', encodeAuditLine(record).replace('"ok"', '"fine"')],
    ['seq 0', encodeAuditLine({ ...record, seq: 0 })],
    ['a ts without milliseconds', encodeAuditLine({ ...record, ts: '2025-01-01T00:00:00Z' })],
    ['a mac without an epoch', encodeAuditLine(record).replace(/}$/, `,"mac":"${GENESIS_HASH}"}`)],
    ['a version 2 line', encodeAuditLine(record).replace('"v":1', '"v":2')],
    ['not JSON', '{"v":1,'],
    ['an array', '[1]'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseAuditLine(text)).toThrow(FormatError);
  });

  it('never crashes on arbitrary text: it parses or throws a FormatError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseAuditLine(text);
        } catch (err) {
          expect(err).toBeInstanceOf(FormatError);
        }
      }),
    );
  });

  it('round-trips heads and rejects non-canonical ones', () => {
    const { head } = buildLog(3, newKeyring());
    expect(encodeAuditHead(parseAuditHead(head))).toBe(head);
    expect(() => parseAuditHead(head.replace('\n', ' \n'))).toThrow(FormatError);
    expect(() => parseAuditHead('{"v":1,"seq":-1,"hash":"x"}\n')).toThrow(FormatError);
  });
});
