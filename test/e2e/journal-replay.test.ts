/**
 * A journal entry acts only on the change it was written for: a genuine entry saved by
 * a same-user attacker and put back after that change was finished (a replay) must not
 * make the owner's next command deprovision or delete a live agent, and an owner
 * command that starts while another owner command's change is still under way (not
 * crashed) must not undo it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWithFault, TempStore, type Background } from '../helpers/cli.js';

let store: TempStore;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
});
afterEach(() => store.cleanup());

const journal = (agent: string): string => join(store.dir, 'journals', `${agent}.journal`);

/**
 * Runs `args` as the owner, SIGKILLed at the write point right after its journal entry
 * is on disk, and returns the entry's bytes. The point is found from a traced run of
 * the same command on a scratch store in the same state.
 */
async function killAfterJournal(args: string[], agent: string): Promise<Buffer> {
  const scratch = new TempStore();
  let labels: string[];
  try {
    await scratch.init();
    if (args[0] !== 'provision') await scratch.provision(agent);
    const file = join(scratch.root, 'trace');
    const traced = await runWithFault(args, 'trace', { baseEnv: scratch.env, env: { AGENT_VAULT_PASSPHRASE_FILE: scratch.passphraseFile }, trace: file });
    expect(traced.code, traced.stderr).toBe(0);
    labels = readFileSync(file, 'utf8').trim().split('\n');
  } finally {
    scratch.cleanup();
  }
  const at = labels.indexOf(`fsync ${join(scratch.dir, 'journals')}`);
  expect(at, labels.join('\n')).toBeGreaterThan(0);
  const killed = await runWithFault(args, `kill:${at + 2}`, { baseEnv: store.env, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile } });
  expect(killed.signal).toBe('SIGKILL');
  return readFileSync(journal(agent));
}

async function setSecret(agent: string): Promise<void> {
  const result = await store.owner(['credential', 'set', 'API_KEY=-', '--agent', agent], { input: 'the-value' });
  expect(result.code, result.stderr).toBe(0);
}

describe('a replayed journal entry', () => {
  it('does not deprovision an agent provisioned again after the deprovisioning it was written for', async () => {
    await store.provision('bob');
    const saved = await killAfterJournal(['deprovision', 'bob', '--yes'], 'bob');
    expect((await store.owner(['status'])).stderr).toContain('finished the deprovisioning of agent bob');
    const token = await store.provision('bob');
    await setSecret('bob');

    writeFileSync(journal('bob'), saved, { mode: 0o600 });
    const refused = await store.owner(['credential', 'list', '--agent', 'bob']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('journals/bob.journal');
    // The owner removes it, as the hint says; the vault was never touched.
    rmSync(journal('bob'));

    const read = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('the-value\n');
  });

  it('does not delete an agent, or its audit log, provisioned again after the provisioning it was written for', async () => {
    const saved = await killAfterJournal(['provision', 'carol'], 'carol');
    expect((await store.owner(['audit', 'verify'])).stderr).toContain('undid the interrupted provisioning of agent carol');
    const token = await store.provision('carol');
    await setSecret('carol');
    const log = readFileSync(join(store.dir, 'vaults', 'carol.audit.jsonl'));

    writeFileSync(journal('carol'), saved, { mode: 0o600 });
    expect((await store.owner(['credential', 'list', '--agent', 'carol'])).code).toBe(6);

    const read = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(read.code, read.stderr).toBe(0);
    expect(readFileSync(join(store.dir, 'vaults', 'carol.audit.jsonl')).subarray(0, log.length)).toEqual(log);
  });

  it('put back after its agent\'s vault was deleted does not record that deletion as a deprovisioning', async () => {
    await store.provision('bob');
    const saved = await killAfterJournal(['deprovision', 'bob', '--yes'], 'bob');
    await store.owner(['status']);
    await store.provision('bob');
    // The attacker deletes the live vault, then launders it with the old entry.
    rmSync(join(store.dir, 'vaults', 'bob.vault'));
    writeFileSync(journal('bob'), saved, { mode: 0o600 });
    await store.owner(['status']);

    const verify = await store.owner(['audit', 'verify']);
    expect(verify.code).toBe(6);
    expect(verify.stderr + verify.stdout).toContain('bob');
  });
});

/** Starts the CLI as the owner without waiting for it. */
function start(args: string[]): Background {
  return store.start(args, { env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, AGENT_VAULT_LOCK_TIMEOUT: '60' } });
}

/** Waits (bounded) for a condition another process brings about. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('two owner commands at once', () => {
  it('the second does not undo a provisioning that the first is still making', async () => {
    // A live process holds bob's audit log lock, so the provisioning stops with its
    // journal entry and vault written, until the test lets it go on.
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    const auditLock = join(store.dir, 'vaults', 'bob.audit.jsonl.lock');
    try {
      writeFileSync(auditLock, `${holder.pid} ${hostname()}\n`, { mode: 0o600 });
      const first = start(['provision', 'bob']);
      await until('the journal entry', () => existsSync(journal('bob')));
      const trace = join(store.root, 'second-trace');
      writeFileSync(trace, '');
      const second = runWithFault(['status'], 'trace', { baseEnv: store.env, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, AGENT_VAULT_LOCK_TIMEOUT: '60' }, trace });
      const lockLabel = `link ${join(store.dir, 'vaults', 'bob.vault.lock')}`;
      await until('the second command to wait for bob', () => readFileSync(trace, 'utf8').includes(lockLabel) || !existsSync(journal('bob')));
      rmSync(auditLock);

      const provisioned = await first.done;
      expect(provisioned.code, provisioned.stderr).toBe(0);
      const other = await second;
      expect(other.stderr).not.toContain('undid');
      const token = provisioned.stdout.trim();
      const list = await store.agent(token, ['credential', 'list']);
      expect(list.code, list.stderr).toBe(0);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
