/**
 * Proposals where the process is the point: the owner approving on a real terminal
 * (masked prompts showing each slot's description, obtain URL and instructions with
 * their control characters neutralised), two approvals at once, and `proposal create
 * --wait` in another process blocking until the owner decides (waitForProposal's own
 * polling is test/unit/app/proposal-wait.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore, type Background } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

const VALUE = 'sk_test_typed-at-the-prompt-41c2';
/** The pty helper is a Python script. */
const NO_PTY = skipWithout('python3');

describe('proposals across processes', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  async function propose(args: string[]): Promise<string> {
    const result = await store.agent(token, ['proposal', 'create', ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  }

  it.skipIf(NO_PTY)('approve on a terminal shows each slot neutralised, asks for its value masked, and applies after a yes', async () => {
    const id = await propose(['--credential', 'STRIPE_KEY=Stripe \x1b]52;c;cHduZWQ=\x07key\x1b[2J', '--obtain', 'https://dashboard.stripe.com/apikeys', '--instructions', 'Developers \x1b[31m> API keys']);
    const result = runInPty(['proposal', 'approve', id], [
      { expect: 'Owner passphrase' },
      { send: `${PASSPHRASE}${KEY.enter}` },
      { expect: 'Value for STRIPE_KEY' },
      { send: `${VALUE}${KEY.enter}` },
      { expect: 'Apply proposal' },
      { send: `y${KEY.enter}` },
    ], store.env);
    expect(result.timeout).toBe(false);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Stripe \\x1b]52;c;cHduZWQ=\\x07key\\x1b[2J');
    expect(result.output).toContain('https://dashboard.stripe.com/apikeys');
    expect(result.output).toContain('Developers \\x1b[31m> API keys');
    // Only escapes the program itself writes (the prompt library's) may reach the terminal: none from the agent's text.
    expect(result.output).not.toContain('\x1b]52');
    expect(result.output).not.toContain('\x1b[2J');
    expect(result.output).not.toContain('\x1b[31m>');
    expect(result.output).not.toContain(VALUE);
    expect(result.output).toContain(`applied proposal ${id}`);
    expect((await store.agent(token, ['credential', 'get', 'STRIPE_KEY'])).stdout).toBe(`${VALUE}\n`);
  });

  it.skipIf(NO_PTY)('declining the confirmation applies nothing (exit 8)', async () => {
    const id = await propose(['--credential', 'STRIPE_KEY']);
    const result = runInPty(['proposal', 'approve', id], [
      { expect: 'Owner passphrase' },
      { send: `${PASSPHRASE}${KEY.enter}` },
      { expect: 'Value for STRIPE_KEY' },
      { send: `${VALUE}${KEY.enter}` },
      { expect: 'Apply proposal' },
      { send: `n${KEY.enter}` },
    ], store.env);
    expect(result.code).toBe(8);
    expect((await store.agent(token, ['credential', 'get', 'STRIPE_KEY'])).code).toBe(3);
    expect(JSON.parse((await store.agent(token, ['proposal', 'show', id, '--json'])).stdout)).toMatchObject({ status: 'pending' });
  });

  it('two owners approving one proposal at once: one applies it, the other is refused, and it is applied once', async () => {
    const id = await propose(['--credential', 'A_KEY']);
    const both = await Promise.all(['first', 'second'].map((v) => store.owner(['proposal', 'approve', id, '--json-stdin', '--yes'], { input: JSON.stringify({ A_KEY: v }) })));
    expect(both.map((r) => r.code).sort()).toEqual([0, 2]);
    const winner = both[0]!.code === 0 ? 'first' : 'second';
    expect((await store.agent(token, ['credential', 'get', 'A_KEY'])).stdout).toBe(`${winner}\n`);
    const approvals = (JSON.parse((await store.owner(['audit', '--agent', 'bot', '--action', 'proposal.approve', '--json'])).stdout) as Array<{ result: string }>).filter((e) => e.result === 'ok');
    expect(approvals).toHaveLength(1);
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  }, 120_000);

  /**
   * Starts `proposal create --wait` as the agent, and returns it once it printed the new
   * proposal's id and its notice, with the owner's `proposal list` showing it pending:
   * the proposal exists, undecided, and the command has gone on to wait for it.
   */
  async function proposeAndWait(): Promise<{ waiting: Background; id: string }> {
    const waiting = store.start(['proposal', 'create', '--credential', 'A_KEY', '--wait'], { env: { AGENT_VAULT_TOKEN: token } });
    const id = /^([a-z2-7]{12})\n/.exec(await waiting.waitFor(/^[a-z2-7]{12}\n/, { stream: 'stdout' }))![1]!;
    await waiting.waitFor(`the owner decides with: agent-vault proposal approve ${id}\n`, { stream: 'stderr' });
    const listed = await store.owner(['proposal', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, status: 'pending' })]);
    return { waiting, id };
  }

  /**
   * What the waiter printed before the owner decided: its id and notice and nothing
   * more, so what it prints after (checked by each test) can only come from waiting.
   */
  function expectUndecided(waiting: Background, id: string): void {
    expect(waiting.stdout()).toBe(`${id}\n`);
    expect(waiting.stderr()).toBe(`proposed set A_KEY for agent bot; the owner decides with: agent-vault proposal approve ${id}\n`);
  }

  it('a waiting agent blocks until the owner approves in another process, then exits 0 saying so', async () => {
    const { waiting, id } = await proposeAndWait();
    expectUndecided(waiting, id);
    const approved = await store.owner(['proposal', 'approve', id, '--json-stdin', '--yes'], { input: '{"A_KEY":"a"}' });
    expect(approved.code, approved.stderr).toBe(0);
    const ended = await waiting.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toBe(`${id}\n`);
    expect(ended.stderr).toContain(`proposal ${id} was applied: set A_KEY`);
  }, 120_000);

  it('a waiting agent blocks until the owner rejects in another process, then exits 5 with the reason', async () => {
    const { waiting, id } = await proposeAndWait();
    expectUndecided(waiting, id);
    expect((await store.owner(['proposal', 'reject', id, '--reason', 'not now'])).code).toBe(0);
    const ended = await waiting.done;
    expect(ended.code).toBe(5);
    expect(ended.stderr).toContain('rejected: not now');
  }, 120_000);
});
