/**
 * The hand-over that carries the token and the passphrase across a re-execution: a
 * holder process keeps them where neither its environment nor its command line shows
 * them, and gives them up once. (The re-execution itself needs process.execve:
 * test/e2e/environ.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { holdValues, takeHeldValues } from '../../../src/cli/secret-handover.js';

const TOKEN = 'avt_bot_handed-over-secret-3c9d';
const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('secret hand-over', () => {
  it('gives the values back once, from a holder whose environment and command line show none of them', async () => {
    const name = await holdValues({ AGENT_VAULT_TOKEN: TOKEN, AGENT_VAULT_PASSPHRASE: 'pass phrase ü' });
    const holders = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && parentOf(pid) === process.pid);
    expect(holders.length).toBeGreaterThan(0);
    for (const pid of holders) {
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(TOKEN);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(TOKEN);
    }
    expect(await takeHeldValues(name)).toEqual({ AGENT_VAULT_TOKEN: TOKEN, AGENT_VAULT_PASSPHRASE: 'pass phrase ü' });
    await expect(takeHeldValues(name)).rejects.toThrow(/handed over while agent-vault re-executed itself was lost/);
  });

  it('takes nothing from a name it did not make', async () => {
    await expect(takeHeldValues('agent-vault-handover-' + '0'.repeat(32))).rejects.toThrow(/was lost/);
    await expect(takeHeldValues('../../etc/passwd')).rejects.toThrow(/was lost/);
  });
});

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
