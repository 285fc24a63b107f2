import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMPLETION_FILES, SHELLS, completionScript, describeCommand, allCommands } from '../../../src/cli/completion.js';
import { SHELL_NAMES } from '../../../src/cli/commands/completion.js';
import { buildProgram } from '../../../src/cli/program.js';
import { testIO } from '../../../src/cli/io.js';

const ROOT = resolve(import.meta.dirname, '../../..');

function program(): Command {
  return buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: false, version: '0.0.0' });
}

/** Every command of the live commander tree, with its path, found without the module under test. */
function walk(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  return [{ path, command }, ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

describe('completion scripts', () => {
  it.each(SHELLS)('the committed %s script is what the generator writes from the program now', (shell) => {
    const committed = readFileSync(resolve(ROOT, COMPLETION_FILES[shell]), 'utf8');
    expect(committed, 'run npm run build and commit completions/').toBe(completionScript(program(), shell));
  });

  it.each(SHELLS)('the %s script names every command and every long option of the program', (shell) => {
    const script = completionScript(program(), shell);
    const commands = walk(program());
    expect(commands.length).toBeGreaterThan(10);
    for (const { path, command } of commands) {
      for (const name of path) expect(script, `${path.join(' ')}`).toMatch(new RegExp(`(^|[^a-z-])${name}([^a-z-]|$)`, 'm'));
      for (const option of command.options) {
        if (!option.long) continue;
        // fish writes long flags without their dashes (-l kdf-memory).
        const flag = shell === 'fish' ? `-l ${option.long.slice(2)}` : option.long;
        expect(script, `${path.join(' ')} ${option.long}`).toContain(flag);
      }
    }
    expect(script).toContain(shell === 'fish' ? '-l help' : '--help');
  });

  it.each(SHELLS)('the %s script offers the choices of an option and knows where agent ids, files and directories go', (shell) => {
    const script = completionScript(program(), shell);
    expect(script).toContain('login secure_note card identity api_key');
    expect(script).toContain('vaults/');
    expect(script).toMatch(shell === 'bash' ? /compgen -f/ : shell === 'zsh' ? /_files -\// : /-l token-file -r -F/);
  });

  it('describes agent arguments as agent ids, except where a new agent is named', () => {
    const commands = allCommands(describeCommand(program()));
    const argOf = (path: string): string | undefined => commands.find((c) => c.path.join(' ') === path)?.args[0]?.value.kind;
    expect(argOf('status')).toBe('agent');
    expect(argOf('deprovision')).toBe('agent');
    expect(argOf('token rotate')).toBe('agent');
    expect(argOf('provision')).toBe('text');
    // An existing credential's key completes from the vault; a new one (add) does not.
    expect(argOf('credential get')).toBe('credential');
    expect(argOf('totp')).toBe('credential');
    expect(argOf('credential add')).toBe('text');
    expect(commands.find((c) => c.path.join(' ') === 'credential get')?.options.find((o) => o.long === '--field')?.value.kind).toBe('field');
    const root = commands[0]!;
    expect(root.options.find((o) => o.long === '--agent')?.value.kind).toBe('agent');
    expect(root.options.find((o) => o.long === '--store')?.value.kind).toBe('dir');
    expect(root.options.find((o) => o.long === '--passphrase-file')?.value.kind).toBe('file');
    expect(root.options.find((o) => o.long === '--json')?.value.kind).toBe('flag');
  });

  it('covers a command added later without any change to the completion code', () => {
    const p = program();
    p.command('lend').argument('<KEY>').addOption(new Option('--borrower <agent>', 'who')).addOption(new Option('--to <agent>', 'the grantee')).addOption(new Option('--list-file <path>', 'a file'));
    for (const shell of SHELLS) {
      const script = completionScript(p, shell);
      expect(script).toContain('lend');
      expect(script).toContain(shell === 'fish' ? '-l list-file' : '--list-file');
    }
    const lend = describeCommand(p).subcommands.find((c) => c.name === 'lend')!;
    expect(lend.options.map((o) => o.value.kind)).toEqual(['agent', 'agent', 'file', 'flag']);
  });

  it('refuses a choice that is not a plain word rather than write it into a script', () => {
    const p = new Command('agent-vault');
    p.command('x').addOption(new Option('--mode <m>').choices(['ok', 'a b']));
    expect(() => completionScript(p, 'bash')).toThrow(/"a b"/);
    const q = new Command('agent-vault');
    q.command('y').addOption(new Option('--mode <m>').choices(["$(touch x)"]));
    expect(() => completionScript(q, 'zsh')).toThrow(/not a plain word/);
  });

  it('the completion command knows exactly the shells the generator renders', () => {
    expect([...SHELL_NAMES]).toEqual([...SHELLS]);
  });
});
