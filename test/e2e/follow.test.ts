/**
 * Following, with separate processes: `audit --follow` prints the events other
 * processes append as they happen (the owner's across every log, an agent's only its
 * own), and `hook run --follow` delivers them to a receiver on 127.0.0.1 while it runs.
 * Nothing waits for time to pass: each step waits for the output it expects, with a
 * generous timeout.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore, type Background } from '../helpers/cli.js';

const WAIT_MS = 20_000;

/** A long-running CLI process (`TempStore.start`) whose stdout lines can be waited for. */
interface Follower {
  readonly run: Background;
  /** The whole lines it printed on stdout so far. */
  lines(): string[];
  /** Resolves with the first stdout line that satisfies `match`, once there is one; rejects if it ends first. */
  waitFor(match: (line: string) => boolean, what: string): Promise<string>;
  /** Resolves with its exit code and stderr once it ends by itself. */
  ended(): Promise<{ code: number | null; stderr: string }>;
  /** Interrupts it (SIGINT) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

function follower(run: Background): Follower {
  // Only lines ended by a newline: a line still being written is not one yet.
  const lines = (stdout: string): string[] => stdout.split('\n').slice(0, -1).filter(Boolean);
  return {
    run,
    lines: () => lines(run.stdout()),
    waitFor: async (match, what) => {
      const stdout = await run.waitFor((out) => lines(out).some(match), { stream: 'stdout', ms: WAIT_MS }).catch((err: unknown) => {
        throw new Error(`no line ${what}: ${(err as Error).message}`);
      });
      return lines(stdout).find(match)!;
    },
    ended: async () => {
      const { code, stderr } = await run.done;
      return { code, stderr };
    },
    stop: async () => {
      if (!run.ended()) run.child.kill('SIGINT');
      return (await run.done).code;
    },
  };
}

describe('following the audit logs', () => {
  let store: TempStore;
  let bot: string;
  let followers: Follower[];
  const follow = (args: string[], env: NodeJS.ProcessEnv): Follower => {
    const f = follower(store.start(args, { env }));
    followers.push(f);
    return f;
  };
  const set = async (key: string, agent: string): Promise<void> => {
    const result = await store.owner(['credential', 'set', `${key}=-`, '--agent', agent], { input: 'v' });
    expect(result.code, result.stderr).toBe(0);
  };

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.provision('other');
    followers = [];
  });
  afterEach(async () => {
    for (const f of followers) await f.stop();
    store.cleanup();
  });

  it('prints the events of other processes as they are appended, until interrupted', async () => {
    // --since makes the follower print what came just before it started too, so the first write cannot be missed.
    const owner = follow(['audit', '--follow', '--json', '--since', '10m', '--action', 'credential.set'], { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile });
    await set('FIRST', 'bot');
    await owner.waitFor((l) => l.includes('"FIRST"'), 'about FIRST');
    await set('SECOND', 'other');
    const second = JSON.parse(await owner.waitFor((l) => l.includes('"SECOND"'), 'about SECOND')) as Record<string, unknown>;
    expect(second).toMatchObject({ action: 'credential.set', agent: 'other', key: 'SECOND', log: 'vaults/other.audit.jsonl' });
    // Only the selected action, each event once.
    expect(owner.lines().map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['FIRST', 'SECOND']);
    expect(await owner.stop()).toBe(0);
  }, 60_000);

  it("follows only an agent's own log", async () => {
    const agent = follow(['audit', '--follow', '--json', '--since', '10m', '--action', 'credential'], { AGENT_VAULT_TOKEN: bot });
    await set('ELSEWHERE', 'other');
    await set('MINE', 'bot');
    await agent.waitFor((l) => l.includes('"MINE"'), 'about MINE');
    await set('MINE_TOO', 'bot');
    await agent.waitFor((l) => l.includes('"MINE_TOO"'), 'about MINE_TOO');
    expect(agent.lines().some((l) => l.includes('ELSEWHERE'))).toBe(false);
    expect(await agent.stop()).toBe(0);
  }, 60_000);

  it('stops with exit 6 when the log it follows is cut back under it', async () => {
    const agent = follow(['audit', '--follow', '--json', '--since', '10m', '--action', 'credential.set'], { AGENT_VAULT_TOKEN: bot });
    await set('SHOWN', 'bot');
    await agent.waitFor((l) => l.includes('"SHOWN"'), 'about SHOWN');
    // The line the follower showed last is cut off the end, and a later write appends after the cut.
    const log = join(store.dir, 'vaults', 'bot.audit.jsonl');
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    writeFileSync(log, lines.slice(0, -1).map((l) => `${l}\n`).join(''));
    await set('AFTER', 'bot');
    const { code, stderr } = await agent.ended();
    expect(code).toBe(6);
    expect(stderr).toMatch(/bot\.audit\.jsonl was (cut back|rewritten) while it was being followed/);
    expect(agent.lines().some((l) => l.includes('"AFTER"'))).toBe(false);
  }, 60_000);

  it('delivers each event once when two hook runs start at the same time', async () => {
    const ids: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        ids.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      expect((await store.owner(['hook', 'add', '--event', 'access.denied', '--url', url])).code).toBe(0);
      for (const key of ['A', 'B', 'C']) expect((await store.agent(bot, ['credential', 'get', key, '--agent', 'other'])).code).toBe(5);
      const runs = await Promise.all([store.owner(['hook', 'run']), store.owner(['hook', 'run'])]);
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);

  it('delivers hooks within moments of each event with hook run --follow', async () => {
    const bodies: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.statusCode = 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      expect((await store.owner(['hook', 'add', '--event', 'access.denied', '--url', url])).code).toBe(0);
      const runner = follow(['hook', 'run', '--follow', '--json'], { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile });
      for (const key of ['A', 'B']) {
        expect((await store.agent(bot, ['credential', 'get', key, '--agent', 'other'])).code).toBe(5);
        await runner.waitFor((l) => l.includes('"delivered":1') && bodies.some((b) => b.includes(`"key":"${key}"`)), `delivering ${key}`);
      }
      expect(bodies.map((b) => (JSON.parse(b) as { key: string }).key)).toEqual(['A', 'B']);
      expect(await runner.stop()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
