/**
 * Only the invoked command's subtree is built (cli/program.ts): the table says which
 * words each register function adds, the argv scan finds the command word past the
 * global options, and a word that is no command still gets the whole tree, so help,
 * completion and "did you mean" see every command.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS, invokedCommand } from '../../../src/cli/program.js';
import { testIO } from '../../../src/cli/io.js';
import { TempStore } from '../../helpers/in-process.js';

const deps = (argv: string[]) => ({ io: testIO(), argv, setExitCode: () => {} });
const words = (program: Command): string[] => program.commands.flatMap((c) => [c.name(), ...c.aliases()]).sort();

describe('the command table', () => {
  it('names exactly the words each register function adds', () => {
    for (const [names, register] of COMMANDS) {
      const program = new Command('agent-vault');
      register(program, deps([]));
      expect(words(program), names.join(',')).toEqual([...names].sort());
    }
  });

  it('covers the whole tree but completion and help', () => {
    const all = words(buildProgram(deps(['node', 'agent-vault']), { json: false, version: '0' }));
    expect(all).toEqual([...COMMANDS.flatMap(([names]) => names), 'completion', 'help'].sort());
  });

  it('finds the command word past the global options and their values', () => {
    const { options } = buildProgram(deps(['node', 'agent-vault']), { json: false, version: '0' });
    const found = (...args: string[]) => invokedCommand(['node', 'agent-vault', ...args], options)?.[0][0];
    expect(found('credential', 'get', 'K')).toBe('credential');
    expect(found('cred', 'get', 'K')).toBe('credential');
    expect(found('--store', '/tmp/s', '-a', 'bot', '--json', 'totp', 'K')).toBe('totp');
    expect(found('--store=/tmp/s', '-qa', 'init', 'credential', 'list')).toBe('credential');
    expect(found('--token-file', 'status', 'lock')).toBe('unlock');
    expect(found('restore', 'f.age')).toBe('backup');
    for (const none of [[], ['--version'], ['help', 'credential'], ['completion', 'bash'], ['credentail', 'get'], ['--', 'credential']]) expect(found(...none)).toBeUndefined();
  });

  it('skips the value of every global option that takes one, as commander defines them', () => {
    const { options } = buildProgram(deps(['node', 'agent-vault']), { json: false, version: '0' });
    const taking = options.filter((o) => o.required || o.optional);
    expect(taking.map((o) => o.long)).toEqual(expect.arrayContaining(['--store', '--agent', '--token-file']));
    for (const option of taking) {
      for (const word of [option.long, option.short].filter((w) => w !== undefined)) {
        // The value is a command word, which must not be taken for the command.
        expect(invokedCommand(['node', 'agent-vault', word, 'status', 'totp', 'K'], options)?.[0][0], word).toBe('totp');
      }
    }
    expect(invokedCommand(['node', 'agent-vault', '--json', 'status'], options)?.[0][0]).toBe('status');
  });

  it('builds one subtree for a command, and the whole tree otherwise', () => {
    const one = buildProgram(deps(['node', 'agent-vault', '-a', 'bot', 'credential', 'get', 'K']), { json: false, version: '0' });
    expect(words(one)).toEqual(['cred', 'credential']);
    expect(words(buildProgram(deps(['node', 'agent-vault', 'credentail']), { json: false, version: '0' }))).toContain('proposal');
  });

  it('still suggests a command for a mistyped word, and a subcommand within the subtree', async () => {
    const store = new TempStore();
    const runCli = (args: string[]) => store.run(args);
    const top = await runCli(['credentail', 'get', 'K']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('credential');
    const sub = await runCli(['credential', 'gte', 'K']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('get');
    store.cleanup();
  });
});
