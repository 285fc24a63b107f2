/**
 * Power loss: an acknowledged audit line is on the disk before the command goes on, and
 * the head never reaches the disk ahead of its line. Observed through the trace of the
 * fault-injection bundle, which lists the write points (fsync included) in the order
 * the process made them.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithFault, TempStore } from '../helpers/cli.js';

describe('audit appends are durable', () => {
  let store: TempStore;
  let token: string;
  let traces = 0;
  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
    expect((await store.agent(token, ['credential', 'set', 'KEY=-'], { input: 'value' })).code).toBe(0);
  });
  afterAll(() => store.cleanup());

  /** The write points of one command, in order. */
  async function trace(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string[]> {
    const file = join(store.root, `trace-${(traces += 1)}`);
    const result = await runWithFault(args, 'trace', { baseEnv: store.env, env, trace: file, ...(input === undefined ? {} : { input }) });
    expect(result.code, result.stderr).toBe(0);
    return readFileSync(file, 'utf8').split('\n').slice(0, -1);
  }

  /** Checks the order of one append to `log` (relative to the store) within `labels`. */
  function expectDurableAppend(labels: string[], log: string): void {
    const at = (label: string, from = 0): number => {
      const index = labels.indexOf(label, from);
      expect(index, `${label} in\n${labels.join('\n')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const path = join(store.dir, log);
    const dir = join(path, '..');
    const head = path.replace(/\.jsonl$/, '.head');
    const write = at(`write ${path}`);
    const fsyncLine = at(`fsync ${path}`, write);
    const rename = at(`rename ${head}`, fsyncLine);
    const tempFsync = labels.slice(fsyncLine, rename).filter((l) => l.startsWith(`fsync ${join(dir, `.${basename(head)}.`)}`) && l.endsWith('.tmp'));
    expect(tempFsync, 'the new head is flushed before its rename').toHaveLength(1);
    at(`fsync ${dir}`, rename);
  }

  it('on a read: the line, then the head, each flushed before the value is printed', async () => {
    expectDurableAppend(await trace(['credential', 'get', 'KEY'], { AGENT_VAULT_TOKEN: token }), 'vaults/bot.audit.jsonl');
  });

  it('on a write, and on the append that creates a log', async () => {
    expectDurableAppend(await trace(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile }, 'x'), 'vaults/bot.audit.jsonl');
    const provision = await trace(['provision', 'carol'], { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile });
    expectDurableAppend(provision, 'vaults/carol.audit.jsonl');
    // The new log is created with O_EXCL and set to 0600 before its first line.
    const log = join(store.dir, 'vaults', 'carol.audit.jsonl');
    expect(provision.indexOf(`fchmod ${log}`)).toBe(provision.indexOf(`open ${log}`) + 1);
  });
});
