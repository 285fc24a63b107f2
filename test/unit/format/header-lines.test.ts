/**
 * The one header grammar (src/format/header-lines.ts): every file kind rejects a wrong
 * version, an unknown field, a duplicate field, non-canonical base64 and a bad
 * timestamp with the same words, and the grammar's own parser and encoder agree.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAuditHead, encodeAuditLine, GENESIS_HASH, parseAuditHead, parseAuditLine } from '../../../src/format/audit-line.js';
import { FormatError } from '../../../src/format/format-error.js';
import { generateAgentKeyPair, parseGrantFile, sealGrant } from '../../../src/format/grant-file.js';
import {
  AGENT_ID_VALUE,
  base64Line,
  checkTimestamp,
  checkVersion,
  encodeHeader,
  headerGrammar,
  parseHeader,
  TIMESTAMP_VALUE,
  valueLine,
} from '../../../src/format/header-lines.js';
import { deriveOwnerSigningKey, encodeKeyCertificate, parseKeyCertificate } from '../../../src/format/key-certificate.js';
import { createStoreFile, encodeStoreFile, parseStoreFile } from '../../../src/format/store-file.js';
import { encodeVaultFile, parseVaultFile, wrapOwnerSlot, wrapTokenSlot } from '../../../src/format/vault-file.js';
import { emptyPayload } from '../../../src/core/vault.js';

const KEY = randomBytes(32);
const TIME = '2025-01-02T03:04:05.006Z';

/** One file kind: its parser, a good file, and the lines to damage. */
interface Kind {
  kind: string;
  parse: (bytes: Buffer) => unknown;
  good: Buffer;
  /** A `name: value` line, a later line, and a base64 line. */
  valueLine: string;
  laterLine: string;
  base64Line: string;
  /** A timestamp line, for kinds that have one. */
  timeLine?: string;
}

const agentKeys = generateAgentKeyPair();
const KINDS: Kind[] = [
  {
    kind: 'vault file',
    parse: parseVaultFile,
    good: encodeVaultFile(
      { agent: 'bot1', created: TIME, updated: TIME, owner: wrapOwnerSlot(KEY, 'bot1', KEY), token: wrapTokenSlot(KEY, 'bot1', KEY), publicKey: agentKeys.publicKey },
      KEY,
      emptyPayload('bot1', 'PRIVATE', 'OWNER', 'AUDIT'),
    ),
    valueLine: 'agent',
    laterLine: 'created',
    base64Line: 'pub',
    timeLine: 'updated',
  },
  {
    kind: 'grant file',
    parse: parseGrantFile,
    good: sealGrant({ from: 'bot1', to: 'bot2', key: 'API_KEY', created: TIME }, agentKeys.privateKey, generateAgentKeyPair().publicKey, Buffer.from('{}')),
    valueLine: 'from',
    laterLine: 'to',
    base64Line: 'eph',
    timeLine: 'created',
  },
  {
    kind: 'key certificate',
    parse: parseKeyCertificate,
    good: encodeKeyCertificate('bot1', agentKeys.publicKey, deriveOwnerSigningKey(KEY)),
    valueLine: 'agent',
    laterLine: 'pub',
    base64Line: 'sig',
  },
  {
    kind: 'store file',
    parse: parseStoreFile,
    good: encodeStoreFile(createStoreFile(KEY, { memoryKiB: 1024, iterations: 1, parallelism: 1, salt: randomBytes(16) }, randomBytes(32), [])),
    valueLine: 'kdf',
    laterLine: 'passphrase',
    base64Line: 'passphrase',
  },
];

/** The file with the header line named `name` passed through `edit` (the text keeps the latin1 bytes of the rest). */
function editLine(bytes: Buffer, name: string, edit: (line: string) => string): Buffer {
  const text = bytes.toString('latin1');
  const start = text.search(new RegExp(`\\n${name}(: | )`)) + 1;
  expect(start, `a ${name} line`).toBeGreaterThan(0);
  const end = text.indexOf('\n', start);
  return Buffer.from(text.slice(0, start) + edit(text.slice(start, end)) + text.slice(end), 'latin1');
}

function lineOf(bytes: Buffer, name: string): string {
  let found = '';
  editLine(bytes, name, (line) => (found = line));
  return found;
}

function messageOf(parse: (bytes: Buffer) => unknown, bytes: Buffer): string {
  try {
    parse(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as FormatError).message;
  }
  throw new Error('the damaged file parsed');
}

describe.each(KINDS)('the $kind header', ({ kind, parse, good, valueLine: value, laterLine, base64Line: b64, timeLine }) => {
  const version = good.toString('latin1').split('\n')[0]!;

  it('parses its good file', () => {
    expect(() => parse(good)).not.toThrow();
  });

  it('rejects another version of its format as unsupported, naming the version', () => {
    const next = version.replace(/\/v(\d+)$/, (_, n: string) => `/v${Number(n) + 1}`);
    const other = Buffer.concat([Buffer.from(next), good.subarray(version.length)]);
    expect(messageOf(parse, other)).toBe(`unsupported ${kind} version "${next}"`);
  });

  it('rejects a file of another kind as not of its kind', () => {
    const other = Buffer.concat([Buffer.from('age-encryption.org/v1'), good.subarray(version.length)]);
    expect(messageOf(parse, other)).toBe(`not an agent-vault ${kind}`);
  });

  it('rejects an unknown field', () => {
    expect(messageOf(parse, editLine(good, laterLine, () => 'comment: hello'))).toBe(`${kind} has an unknown field "comment" in its header`);
  });

  it('rejects a duplicate field', () => {
    const duplicate = editLine(good, laterLine, () => lineOf(good, value));
    expect(messageOf(parse, duplicate)).toBe(`${kind} has a duplicate "${value}" line`);
  });

  it('rejects a missing field', () => {
    const text = good.toString('latin1');
    const line = `${lineOf(good, laterLine)}\n`;
    expect(messageOf(parse, Buffer.from(text.replace(line, ''), 'latin1'))).toMatch(new RegExp(`^${kind} (has no "${laterLine}" line|is truncated)$`));
  });

  it('rejects non-canonical base64: padding, or unused bits set', () => {
    expect(messageOf(parse, editLine(good, b64, (line) => `${line}=`))).toMatch(new RegExp(`^${kind} "${b64}" .* is not canonical base64$`));
    // A field of a multiple of 3 bytes has no unused bits to set.
    if (lineOf(good, b64).split(' ').at(-1)!.length % 4 === 0) return;
    const last = lineOf(good, b64).at(-1)!;
    const unusedBitSet = String.fromCharCode(last.charCodeAt(0) + 1);
    expect(messageOf(parse, editLine(good, b64, (line) => line.slice(0, -1) + unusedBitSet))).toMatch(/is not canonical base64$/);
  });

  it('rejects a doubled space, and a value line without the space after its colon', () => {
    expect(messageOf(parse, editLine(good, b64, (line) => line.replace(' ', '  ')))).toMatch(new RegExp(`^${kind} "${b64}" `));
    expect(messageOf(parse, editLine(good, value, (line) => line.replace(': ', ':')))).toBe(`${kind} "${value}" line is malformed`);
  });

  it.runIf(timeLine !== undefined)('rejects a timestamp that is not canonical ISO 8601 UTC, or not a real instant', () => {
    for (const bad of ['2025-02-30T00:00:00.000Z', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00.000+00:00', '2025-01-01 00:00:00.000Z']) {
      const damaged = editLine(good, timeLine!, (line) => `${line.slice(0, line.indexOf(': ') + 2)}${bad}`);
      expect(messageOf(parse, damaged)).toBe(`${kind} "${timeLine}" is not an ISO 8601 UTC timestamp with milliseconds`);
    }
  });
});

describe('the audit formats', () => {
  const line = encodeAuditLine({ v: 1, seq: 1, ts: TIME, actor: 'owner', agent: 'bot1', action: 'credential.get', result: 'ok', pid: 1, host: 'h', prev: GENESIS_HASH });

  it('reject another version with the same words as the headers', () => {
    expect(() => parseAuditLine(line.replace('"v":1', '"v":2'))).toThrow(new FormatError('unsupported audit line version 2'));
    expect(() => parseAuditLine(line.replace('"v":1', '"v":"1"'))).toThrow(new FormatError('not an agent-vault audit line'));
    const head = encodeAuditHead({ seq: 0, hash: GENESIS_HASH });
    expect(() => parseAuditHead(head.replace('"v":1', '"v":2'))).toThrow(new FormatError('unsupported audit head version 2'));
  });

  it('reject a timestamp by the same rule as the headers', () => {
    expect(() => parseAuditLine(line.replace(TIME, '2025-02-30T00:00:00.000Z'))).toThrow(new FormatError('audit line ts is not an ISO 8601 UTC timestamp with milliseconds'));
  });
});

describe('checkTimestamp', () => {
  it('accepts every time toISOString writes in years 0 to 9999', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(checkTimestamp(date.toISOString(), 'time')).toBe(date.toISOString());
      }),
    );
  });

  it.each(['2025-13-01T00:00:00.000Z', '2025-01-01T24:00:00.000Z', '2025-01-01T00:60:00.000Z', '2025-01-01t00:00:00.000z', '+012025-01-01T00:00:00.000Z', ' 2025-01-01T00:00:00.000Z', ''])(
    'rejects %j',
    (text) => {
      expect(() => checkTimestamp(text, 'time')).toThrow(new FormatError('time is not an ISO 8601 UTC timestamp with milliseconds'));
    },
  );
});

describe('checkVersion', () => {
  it('tells another version of the family from a stranger, for version lines and version numbers', () => {
    expect(() => checkVersion('x file', 'agent-vault-x/v1', 'agent-vault-x/v1')).not.toThrow();
    expect(() => checkVersion('x file', 'agent-vault-x/v1', 'agent-vault-x/v10')).toThrow('unsupported x file version "agent-vault-x/v10"');
    expect(() => checkVersion('x file', 'agent-vault-x/v1', 'agent-vault/v1')).toThrow('not an agent-vault x file');
    expect(() => checkVersion('x line', 1, 3)).toThrow('unsupported x line version 3');
    expect(() => checkVersion('x line', 1, undefined)).toThrow('not an agent-vault x line');
  });

  it('shortens a long version it quotes', () => {
    expect(() => checkVersion('x file', 'agent-vault-x/v1', `agent-vault-x/${'9'.repeat(500)}`)).toThrow(/^unsupported x file version ".{39}…$/);
  });
});

describe('a declared grammar', () => {
  const GRAMMAR = headerGrammar({
    kind: 'test file',
    version: 'agent-vault-test/v1',
    lines: [valueLine('who', AGENT_ID_VALUE), valueLine('when', TIMESTAMP_VALUE), base64Line('keys', [['first', 2], ['second', 3]])],
    maxBytes: 100,
    body: 'none',
  });
  const values = { who: 'bot1', when: TIME, keys: [Buffer.from('ab'), Buffer.from('cde')] as [Buffer, Buffer] };
  const bytes = encodeHeader(GRAMMAR, values);

  it('encodes each line in order and parses its encoding back', () => {
    expect(bytes.toString('latin1')).toBe(`agent-vault-test/v1\nwho: bot1\nwhen: ${TIME}\nkeys YWI Y2Rl\n`);
    expect(parseHeader(GRAMMAR, bytes)).toEqual({ values, end: bytes.length });
  });

  it('refuses to encode what it would not parse', () => {
    expect(() => encodeHeader(GRAMMAR, { ...values, who: 'bot1\nkeys: x' })).toThrow('test file "who" is not a valid agent id');
    expect(() => encodeHeader(GRAMMAR, { ...values, when: 'yesterday' })).toThrow(FormatError);
    expect(() => encodeHeader(GRAMMAR, { ...values, keys: [Buffer.from('a'), Buffer.from('cde')] })).toThrow('test file "keys" first has 1 bytes, expected 2');
    expect(() => encodeHeader({ ...GRAMMAR, maxBytes: 20 }, values)).toThrow('test file header is longer than 20 bytes');
  });

  it('rejects an empty, truncated, oversized or non-printable header, a wrong field count and bytes after its end', () => {
    const text = bytes.toString('latin1');
    for (const [bad, message] of [
      ['', 'test file is empty'],
      [text.slice(0, -1), 'test file is truncated'],
      [`${text}x`, 'test file has bytes after its last line'],
      [text.replace('who: bot1', `who: ${'a'.repeat(100)}`), 'test file header is longer than 100 bytes'],
      [text.replace('bot1', 'bot\x7f'), 'test file has a non-printable byte in its header'],
      [text.replace('\n', '\r\n'), 'test file has a non-printable byte in its header'],
      [text.replace(' Y2Rl', ''), 'test file "keys" has 1 field(s), expected 2'],
      [text.replace('keys YWI Y2Rl', 'keys'), 'test file "keys" line is malformed'],
      [text.replace('who: ', 'who:'), 'test file "who" line is malformed'],
      [text.replace(`when: ${TIME}\n`, ''), 'test file has no "when" line'],
      [text.replace('who: bot1', 'whom: bot1'), 'test file has an unknown field "whom" in its header'],
    ] as const) {
      expect(() => parseHeader(GRAMMAR, Buffer.from(bad, 'latin1')), JSON.stringify(bad)).toThrow(new FormatError(message));
    }
  });

  it('requires at least a tag after a header with a sealed body', () => {
    const sealed = { ...GRAMMAR, body: 'sealed' as const };
    expect(() => parseHeader(sealed, Buffer.concat([bytes, Buffer.alloc(15)]))).toThrow('test file payload is truncated');
    expect(parseHeader(sealed, Buffer.concat([bytes, Buffer.alloc(16)])).end).toBe(bytes.length);
  });

  it('never crashes on random lines: it parses or throws a FormatError (property)', () => {
    const line = fc.oneof(fc.constantFrom('agent-vault-test/v1', 'who: bot1', `when: ${TIME}`, 'keys YWI Y2Rl', 'who:', 'keys', ''), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        try {
          parseHeader(GRAMMAR, Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
        } catch (err) {
          expect(err).toBeInstanceOf(FormatError);
        }
      }),
    );
  });
});
