/**
 * Reading an audit log in chunks (DirectoryBackend.audit.stream) and checking it line
 * by line (checkAuditStream): the verdicts of the whole-text check, for logs longer
 * than one chunk, lines and characters split by a chunk boundary, and torn ends; and
 * `audit verify` over such a log through the CLI.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditReader } from '../../../src/app/audit-follow.js';
import { openSession } from '../../../src/app/open-session.js';
import { checkAuditLog, checkAuditStream, eachAuditLine, splitAuditLog } from '../../../src/format/audit-chain.js';
import { currentKey, encodeAuditHead, encodeAuditLine, hashAuditLine, parseAuditLine, signAnchor } from '../../../src/format/audit-line.js';
import { agentLog } from '../../../src/store/backend.js';
import { DirectoryBackend, STREAM_BYTES } from '../../../src/store/directory-backend.js';
import { TempStore } from '../../helpers/in-process.js';
import { buildLog, join as joinLines, newKeyring } from '../format/audit-log-builder.js';

const keyring = newKeyring();
const LOG = agentLog('bot1');
/** Enough lines for the log to span three chunks. */
const big = buildLog(Math.ceil((2.5 * STREAM_BYTES) / buildLog(1, keyring).text.length), keyring);

/** The index of the first line that ends past `offset` bytes into the log (the line holding that offset). */
function lineAt(lines: string[], offset: number): number {
  let end = 0;
  return lines.findIndex((line) => (end += Buffer.byteLength(line) + 1) > offset);
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function* pieces(parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

describe('eachAuditLine', () => {
  it('finds the lines and torn end of splitAuditLog wherever the chunks are cut', async () => {
    for (const text of ['', 'a\n', 'a\nb', '\n\n', 'ab\ncd\n\nef', 'é\nü']) {
      for (let cut = 0; cut <= text.length; cut += 1) {
        for (let second = cut; second <= text.length; second += 1) {
          const lines: string[] = [];
          const torn = await eachAuditLine(pieces([text.slice(0, cut), text.slice(cut, second), text.slice(second)]), (line) => lines.push(line));
          expect({ lines, torn }).toEqual(splitAuditLog(text));
        }
      }
    }
  });
});

describe('DirectoryBackend.audit.stream', () => {
  let dir: string;
  let logPath: string;
  const backend = () => new DirectoryBackend(dir, 1000);
  const write = (text: string, head: string | undefined = big.head) => {
    writeFileSync(logPath, text, { mode: 0o600 });
    if (head !== undefined) writeFileSync(join(dir, 'vaults', 'bot1.audit.head'), head, { mode: 0o600 });
  };
  /** The streamed verdict, after checking it is the whole-text one. */
  const verdict = async () => {
    const { text, head } = await backend().audit.read(LOG);
    const streamed = await backend().audit.stream(LOG);
    expect(streamed.head).toBe(head);
    const result = await checkAuditStream(streamed.chunks, streamed.head, { keyring, requireKeyed: true });
    expect(result).toEqual(checkAuditLog(text, head, { keyring, requireKeyed: true }));
    return result;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-stream-'));
    logPath = join(dir, 'vaults', 'bot1.audit.jsonl');
    await backend().audit.restore(LOG, '', undefined);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a log of three chunks, a line cut by each boundary, and finds it intact', async () => {
    write(big.text);
    const chunks = await collect((await backend().audit.stream(LOG)).chunks!);
    expect(chunks.length).toBe(3);
    expect(chunks.join('')).toBe(big.text);
    // The first boundary falls inside a line, not after a newline.
    expect(big.text[STREAM_BYTES - 1]).not.toBe('\n');
    const result = await verdict();
    expect(result.problems).toEqual([]);
    expect(result.lines).toBe(big.lines.length);
  });

  it('reports an edited line in the second chunk, and the line it breaks the chain of, by their numbers', async () => {
    const index = lineAt(big.lines, STREAM_BYTES + 1000);
    const lines = [...big.lines];
    lines[index] = lines[index]!.replace('"API_KEY"', '"API_KEX"');
    write(joinLines(lines));
    const result = await verdict();
    expect(result.problems.map((p) => p.line)).toEqual([index + 1, index + 2]);
    expect(result.problems[0]!.message).toMatch(/MAC does not verify/);
  });

  it('reports the line that spans the boundary when it is edited', async () => {
    const index = lineAt(big.lines, STREAM_BYTES - 1);
    const lines = [...big.lines];
    lines[index] = lines[index]!.replace('"ok"', '"no"');
    write(joinLines(lines));
    expect((await verdict()).problems[0]!.line).toBe(index + 1);
  });

  it('reports a torn final line after many chunks', async () => {
    write(`${big.text}{"v":1,"seq":`);
    const result = await verdict();
    expect(result.problems).toEqual([{ line: big.lines.length + 1, message: 'the last line is incomplete: torn by a crash or cut' }]);
    expect(result.lines).toBe(big.lines.length + 1);
  });

  it('decodes a character cut by a chunk boundary whole, and keeps a leading BOM', async () => {
    const text = `\uFEFF${'x'.repeat(STREAM_BYTES - 4)}é€😀\nend\n`;
    write(text);
    expect((await collect((await backend().audit.stream(LOG)).chunks!)).join('')).toBe(text);
    expect((await verdict()).problems[0]!.line).toBe(1);
  });

  it('gives no chunks for a missing log, and the head that is there', async () => {
    write('', big.head);
    rmSync(logPath);
    const streamed = await backend().audit.stream(LOG);
    expect(streamed.chunks).toBeUndefined();
    expect(streamed.head).toBe(big.head);
    expect((await checkAuditStream(undefined, streamed.head, { keyring, requireKeyed: true })).problems[0]!.message).toMatch(/log file is missing/);
  });
});

/** How many of this process's descriptors are open on `path` (Linux /proc). */
function fdsOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('DirectoryBackend.audit.stream: opening, and reading from a position', () => {
  let dir: string;
  let logPath: string;
  const backend = () => new DirectoryBackend(dir, 1000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-vault-stream-from-'));
    new DirectoryBackend(dir, 1000).tree.makeDirs(join(dir, 'vaults'));
    logPath = join(dir, 'vaults', 'bot1.audit.jsonl');
    writeFileSync(logPath, big.text, { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!existsSync('/proc/self/fd'))('opens the log at the first chunk asked for, and closes it when the loop is left early', async () => {
    const streamed = await backend().audit.stream(LOG);
    expect(fdsOn(logPath)).toBe(0);
    const iterator = streamed.chunks![Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    expect(fdsOn(logPath)).toBe(1);
    await iterator.return!();
    expect(fdsOn(logPath)).toBe(0);
    // A stream never iterated holds nothing either.
    await backend().audit.stream(LOG);
    expect(fdsOn(logPath)).toBe(0);
  });

  it('reads from the byte a position names, and names the file it read', async () => {
    const start = Buffer.byteLength(joinLines(big.lines.slice(0, 10)));
    const streamed = await backend().audit.stream(LOG, { lines: 10, bytes: start });
    expect((await collect(streamed.chunks!)).join('')).toBe(joinLines(big.lines.slice(10)));
    const { dev, ino } = statSync(logPath);
    expect(streamed.identity).toBe(`${dev}:${ino}`);
    const again = await backend().audit.stream(LOG, { lines: 10, bytes: start, identity: streamed.identity! });
    expect((await collect(again.chunks!)).join('')).toBe(joinLines(big.lines.slice(10)));
  });

  it('reports the byte offset of the last whole line it yielded, across chunks and after invalid UTF-8', async () => {
    writeFileSync(logPath, big.text);
    const whole = await backend().audit.stream(LOG);
    await collect(whole.chunks!);
    expect(whole.lastLineStart).toBe(Buffer.byteLength(joinLines(big.lines.slice(0, -1))));
    // A byte that is no UTF-8 (decoded to a 3-byte U+FFFD), a torn end, and a read from a position.
    const bytes = Buffer.concat([Buffer.from(joinLines(big.lines.slice(0, 5))), Buffer.from([0xc3, 0x0a]), Buffer.from(`${big.lines[5]}\n${big.lines[6]!.slice(0, 9)}`)]);
    writeFileSync(logPath, bytes);
    const from = Buffer.byteLength(joinLines(big.lines.slice(0, 4)));
    const streamed = await backend().audit.stream(LOG, { lines: 4, bytes: from });
    await collect(streamed.chunks!);
    expect(streamed.lastLineStart).toBe(Buffer.byteLength(joinLines(big.lines.slice(0, 5))) + 2);
  });

  it('refuses a position past the end of a log cut back, and one in a replaced log (exit 6)', async () => {
    const first = await backend().audit.stream(LOG);
    await collect(first.chunks!);
    const position = { lines: big.lines.length - 1, bytes: Buffer.byteLength(joinLines(big.lines.slice(0, -1))), identity: first.identity! };
    writeFileSync(logPath, joinLines(big.lines.slice(0, 5)));
    await expect(collect((await backend().audit.stream(LOG, position)).chunks!)).rejects.toMatchObject({ exitCode: 6, message: expect.stringMatching(/cut back/) });
    // The same text in another file put in its place.
    writeFileSync(`${logPath}.new`, big.text, { mode: 0o600 });
    renameSync(`${logPath}.new`, logPath);
    await expect(collect((await backend().audit.stream(LOG, position)).chunks!)).rejects.toMatchObject({ exitCode: 6, message: expect.stringMatching(/replaced/) });
  });
});

describe('audit verify over a log of several chunks', () => {
  let store: TempStore;
  let token: string;
  let logPath: string;

  /** Extends bot's real log to more than two chunks with lines keyed by its own audit key, and signs a new head. */
  async function grow(minLines = 0, tsOf = (seq: number) => new Date(Date.UTC(2025, 0, 1) + seq).toISOString(), keyOf = (_seq: number) => 'API_KEY'): Promise<string[]> {
    const session = await openSession({ store: store.dir, token });
    const ring = await session.auditKeyring('bot');
    const key = currentKey(ring);
    const lines = readFileSync(logPath, 'utf8').split('\n').slice(0, -1);
    let { seq } = parseAuditLine(lines.at(-1)!);
    let prev = hashAuditLine(lines.at(-1)!);
    const added: string[] = [];
    while (added.length * 300 < 2.2 * STREAM_BYTES || added.length < minLines) {
      seq += 1;
      const line = encodeAuditLine({ v: 1, seq, ts: tsOf(seq), actor: 'agent:bot', agent: 'bot', action: 'credential.get', key: keyOf(seq), result: 'ok', pid: 7, host: 'h', prev }, key);
      added.push(line);
      prev = hashAuditLine(line);
    }
    appendFileSync(logPath, joinLines(added));
    writeFileSync(logPath.replace(/\.jsonl$/, '.head'), encodeAuditHead({ seq, hash: prev, keyed: signAnchor(seq, prev, key) }));
    return [...lines, ...added];
  }

  beforeEach(async () => {
    store = new TempStore({ backend: 'directory' });
    await store.init();
    token = await store.provision('bot');
    logPath = join(store.dir, 'vaults', 'bot.audit.jsonl');
  });
  afterEach(() => store.cleanup());

  it('passes an intact long log and counts its lines', async () => {
    const lines = await grow();
    const result = await store.agent(token, ['audit', 'verify', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).logs[0]).toMatchObject({ lines: lines.length, problems: [] });
  });

  it('exits 6 naming a line edited in the second chunk', async () => {
    const lines = await grow();
    const index = lineAt(lines, STREAM_BYTES + 5000);
    lines[index] = lines[index]!.replace('"API_KEY"', '"OTHER_K"');
    writeFileSync(logPath, joinLines(lines));
    const result = await store.agent(token, ['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stdout).toContain(`bot.audit.jsonl:${index + 1}: its MAC does not verify`);
  });

  it('exits 6 on a torn final line of a long log', async () => {
    const lines = await grow();
    appendFileSync(logPath, '{"v":1,"se');
    const result = await store.agent(token, ['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stdout).toContain(`bot.audit.jsonl:${lines.length + 1}: the last line is incomplete`);
  });

  it('audit --limit gives the newest events by time of a log longer than what it holds, though the file is not in time order', async () => {
    // Every 997th line is dated later than the rest, and in reverse order of the file.
    const tsOf = (seq: number) => new Date(seq % 997 === 0 ? Date.UTC(2026, 0, 1) - seq * 1000 : Date.UTC(2025, 0, 1) + seq * 1000).toISOString();
    const lines = await grow(25_000, tsOf, (seq) => (seq % 3 === 0 ? 'OTHER' : 'API_KEY'));
    const records = lines.map((l) => parseAuditLine(l));
    const newest = (selected: typeof records, n: number) => [...selected].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).slice(-n).map((r) => r.seq);
    const limited = await store.agent(token, ['audit', '--limit', '30', '--json']);
    expect(limited.code).toBe(0);
    expect(JSON.parse(limited.stdout).map((e: { seq: number }) => e.seq)).toEqual(newest(records, 30));
    const keyed = await store.agent(token, ['audit', '--key', 'OTHER', '--limit', '12000', '--json']);
    expect(JSON.parse(keyed.stdout).map((e: { seq: number }) => e.seq)).toEqual(newest(records.filter((r) => r.key === 'OTHER'), 12000));
    const all = await store.agent(token, ['audit', '--key', 'OTHER', '--json']);
    expect(JSON.parse(all.stdout)).toHaveLength(records.filter((r) => r.key === 'OTHER').length);
  });

  it('audit --follow passes over a long log return each line once, and a torn last line only once it is whole', async () => {
    const lines = await grow();
    const reader = new AuditReader(await openSession({ store: store.dir, token }));
    const seqs = async () => (await reader.next()).logs.flat().map((e) => e.seq);
    expect(await seqs()).toEqual(lines.map((l) => parseAuditLine(l).seq));
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
    expect(await seqs()).toEqual([lines.length + 1]);
    expect(await seqs()).toEqual([]);
    const next = lines.length + 2;
    // Chained to the line before, as every new line must be for a follower.
    const prev = hashAuditLine(readFileSync(logPath, 'utf8').split('\n').at(-2)!);
    const line = encodeAuditLine({ v: 1, seq: next, ts: new Date().toISOString(), actor: 'agent:bot', agent: 'bot', action: 'credential.get', result: 'ok', pid: 7, host: 'h', prev });
    appendFileSync(logPath, line.slice(0, 50));
    expect(await seqs()).toEqual([]);
    appendFileSync(logPath, `${line.slice(50)}\n`);
    expect(await seqs()).toEqual([next]);
  });
});
