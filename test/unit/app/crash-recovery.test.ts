/**
 * A crash between any two writes of a lifecycle or credential change, simulated at the
 * storage interface: the n-th write a command makes through the backend throws and the
 * command stops there, as if the process had been killed. Afterwards the next owner
 * command must find a consistent store: `audit verify` reports nothing, every vault
 * opens, the agent's token works or is refused (exit 4), never reported forged (exit
 * 6), and the command run again succeeds.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deprovisionAgent, provisionAgent, rotateToken } from '../../../src/app/agents.js';
import { verifyVisibleAudit } from '../../../src/app/audit.js';
import { deleteTyped, readCredential, setSecrets } from '../../../src/app/credentials.js';
import { createGrant, revokeGrant } from '../../../src/app/grants.js';
import { openSession } from '../../../src/app/open-session.js';
import type { Session } from '../../../src/app/session.js';
import { VaultError } from '../../../src/core/errors.js';
import type { AuditStorage, StorageBackend } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

class Crash extends Error {}

/**
 * A directory backend whose n-th write and every write after it throw {@link Crash}, as
 * a killed process writes nothing more; with n = Infinity it counts writes.
 */
function crashingBackend(root: string, crashAt: number): { backend: StorageBackend; writes: () => number } {
  const inner = new DirectoryBackend(root, 2000);
  let writes = 0;
  const point = (): void => {
    writes += 1;
    if (writes >= crashAt) throw new Crash(`crash at write ${crashAt}`);
  };
  const wrap = <T extends object>(target: T, mutating: readonly string[]): T =>
    new Proxy(target, {
      get(object, name, receiver) {
        const value = Reflect.get(object, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (mutating.includes(name as string)) point();
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  const audit = wrap<AuditStorage>(inner.audit, ['append', 'rewriteHead', 'retire', 'discard']);
  const backend = wrap<StorageBackend>(inner, ['create', 'replace', 'put', 'remove', 'removeAll', 'forgetPrevious', 'prepare']);
  return { backend: new Proxy(backend, { get: (o, n, r) => (n === 'audit' ? audit : Reflect.get(o, n, r)) }), writes: () => writes };
}

interface Fixture {
  dir: string;
  tokens: Record<string, string>;
}

type Step = (session: Session, fixture: Fixture) => Promise<unknown>;

const CASES: Array<{ name: string; run: Step; again?: Step }> = [
  { name: 'provision', run: (s) => provisionAgent(s, 'newbie') },
  { name: 'token rotate of a grantee', run: (s) => rotateToken(s, 'reader') },
  { name: 'token rotate of a granter', run: (s) => rotateToken(s, 'granter') },
  { name: 'deprovision of a grantee', run: (s) => deprovisionAgent(s, 'reader'), again: async () => undefined },
  { name: 'deprovision of a granter', run: (s) => deprovisionAgent(s, 'granter'), again: async () => undefined },
  { name: 'credential set of a granted key', run: (s) => setSecrets(s, 'granter', [['API_KEY', 'new-value']]) },
  { name: 'grant', run: (s) => createGrant(s, 'granter', 'OTHER', 'reader') },
  { name: 'grant revoke', run: (s) => revokeGrant(s, 'granter', 'API_KEY', 'reader'), again: async () => undefined },
  { name: 'credential delete of a granted key', run: (s) => deleteTyped(s, 'granter', 'API_KEY'), again: async () => undefined },
];

describe('a crash between two writes leaves a store the next owner command makes whole', () => {
  let template: TempStore;
  const tokens: Record<string, string> = {};
  let scratch: string;
  let pairs = 0;
  beforeAll(async () => {
    template = new TempStore();
    await template.init();
    for (const agent of ['granter', 'reader', 'bystander']) tokens[agent] = await template.provision(agent);
    expect((await template.owner(['credential', 'set', 'API_KEY=-', '--agent', 'granter'], { input: 'granted-value' })).code).toBe(0);
    expect((await template.owner(['credential', 'set', 'OTHER=-', '--agent', 'granter'], { input: 'other-value' })).code).toBe(0);
    expect((await template.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'granter'])).code).toBe(0);
    scratch = mkdtempSync(join(tmpdir(), 'agent-vault-crash-'));
  });
  afterAll(() => {
    template.cleanup();
    rmSync(scratch, { recursive: true, force: true });
    expect(pairs).toBeGreaterThan(0);
  });

  const copy = (name: string): string => {
    const dir = join(scratch, name);
    cpSync(template.dir, dir, { recursive: true });
    return dir;
  };
  const owner = (store: StorageBackend | string) => openSession({ store, passphrase: PASSPHRASE });

  it.each(CASES)('$name: at every write point', async ({ name, run, again }) => {
    const counting = crashingBackend(copy(`${name}-count`), Infinity);
    await run(await owner(counting.backend), { dir: '', tokens });
    const total = counting.writes();
    expect(total).toBeGreaterThan(0);
    for (let n = 1; n <= total; n += 1) {
      const dir = copy(`${name}-${n}`);
      const { backend } = crashingBackend(dir, n);
      // It stops at the crash, or (where the write that failed was one it can do without,
      // a grant's re-seal) finishes having ended that grant.
      await run(await owner(backend), { dir, tokens }).catch((err: unknown) => {
        if (!(err instanceof Crash)) throw err;
      });
      const after = await owner(dir);
      const problems = (await verifyVisibleAudit(after)).flatMap((r) => r.problems.map((p) => `${r.file}: ${p.message}`));
      expect(problems, `${name}: audit verify after a crash at write ${n} of ${total}`).toEqual([]);
      for (const agent of await after.listAgents()) await after.unlock(agent);
      // The grantee's token opens its grant, or is refused; a grant is never reported forged.
      const reading = await openSession({ store: dir, token: tokens.reader! });
      const read = await readCredential(reading, 'granter', 'API_KEY').then(
        () => 0,
        (err: unknown) => (err instanceof VaultError ? err.exitCode : 1),
      );
      expect([0, 3, 4, 5], `${name}: the grantee's read after a crash at write ${n}: exit ${read}`).toContain(read);
      await (again ?? run)(await owner(dir), { dir, tokens });
      const final = (await verifyVisibleAudit(await owner(dir))).flatMap((r) => r.problems.map((p) => `${r.file}: ${p.message}`));
      expect(final, `${name}: audit verify after running it again (crash at write ${n})`).toEqual([]);
      pairs += 1;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a write whose audit line cannot be written', () => {
  it('is undone and reported, so no change is in effect unaudited', async () => {
    const store = new TempStore();
    try {
      await store.init();
      const token = await store.provision('bot');
      expect((await store.agent(token, ['credential', 'set', 'KEPT=-'], { input: 'kept' })).code).toBe(0);
      const inner = new DirectoryBackend(store.dir, 2000);
      const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      const audit: AuditStorage = { ...inner.audit, list: () => inner.audit.list(), read: (l) => inner.audit.read(l), stream: (l, from) => inner.audit.stream(l, from), append: async () => Promise.reject(full) };
      // The disk is full: once the vault is written, no new file can be made, so the undo must need none.
      let written = false;
      const backend = new Proxy(inner, {
        get: (o, n, r) => {
          if (n === 'audit') return audit;
          if (n === 'replace') {
            return async (...args: Parameters<DirectoryBackend['replace']>) => {
              if (written) throw full;
              written = true;
              return o.replace(...args);
            };
          }
          return Reflect.get(o, n, r);
        },
      });
      const session = await openSession({ store: backend, token });
      await expect(setSecrets(session, 'bot', [['NEW', 'unaudited']])).rejects.toMatchObject({ code: 'ENOSPC' });
      const listed = await store.agent(token, ['credential', 'list', '--json']);
      expect((JSON.parse(listed.stdout) as Array<{ key: string }>).map((c) => c.key)).toEqual(['KEPT']);
      expect((await store.owner(['audit', 'verify'])).code).toBe(0);
    } finally {
      store.cleanup();
    }
  });
});

describe('a genuine journal entry put back later', () => {
  let store: TempStore;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent('bob'));
    expect((await store.owner(['credential', 'set', 'KEEP=-', '--agent', 'bob'], { input: 'kept' })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  const journal = () => join(store.dir, 'journals', 'bob.journal');

  /** Interrupts `run` right after its journal entry was written, and returns the entry's bytes. */
  async function interruptedEntry(run: (s: Session) => Promise<unknown>, agent = 'bob'): Promise<Buffer> {
    for (let n = 1; n < 10; n += 1) {
      const copy = mkdtempSync(join(tmpdir(), 'agent-vault-replay-'));
      try {
        cpSync(store.dir, copy, { recursive: true });
        const { backend } = crashingBackend(copy, n);
        await run(await openSession({ store: backend, passphrase: PASSPHRASE })).catch(() => undefined);
        const entry = join(copy, 'journals', `${agent}.journal`);
        if (existsSync(entry)) return readFileSync(entry);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
    throw new Error('no write point left a journal entry');
  }

  it('naming a deprovisioning of an earlier vault, is refused (exit 6) and deprovisions nothing', async () => {
    const old = await interruptedEntry((s) => deprovisionAgent(s, 'bob'));
    expect((await store.owner(['deprovision', 'bob', '--yes'])).code).toBe(0);
    await store.provision('bob');
    mkdirSync(join(store.dir, 'journals'), { recursive: true });
    writeFileSync(journal(), old);
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/the journal entry is for another vault of agent bob/);
    expect(existsSync(join(store.dir, 'vaults', 'bob.vault'))).toBe(true);
  });

  it('naming a deprovisioning, put back after its vault was deleted, does not cover the deletion', async () => {
    const old = await interruptedEntry((s) => deprovisionAgent(s, 'bob'));
    rmSync(join(store.dir, 'vaults', 'bob.vault'));
    mkdirSync(join(store.dir, 'journals'), { recursive: true });
    writeFileSync(journal(), old);
    expect((await store.owner(['audit', 'verify'])).stderr).toMatch(/the vault of agent bob is gone but its log is live/);
    rmSync(journal());
    expect((await store.owner(['audit', 'verify'])).stderr).toMatch(/agent bob is provisioned .* but its vault is missing/);
  });

  it('naming a provisioning, put back once the agent is in use, undoes nothing', async () => {
    const old = await interruptedEntry((s) => provisionAgent(s, 'carol'), 'carol');
    const carol = await store.provision('carol');
    expect((await store.agent(carol, ['credential', 'set', 'MINE=-'], { input: 'carols' })).code).toBe(0);
    writeFileSync(join(store.dir, 'journals', 'carol.journal'), old);
    const result = await store.owner(['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/the journal entry is for another vault of agent carol/);
    rmSync(join(store.dir, 'journals', 'carol.journal'));
    expect(await store.agent(carol, ['credential', 'get', 'MINE'])).toMatchObject({ code: 0, stdout: 'carols\n' });
  });
});
