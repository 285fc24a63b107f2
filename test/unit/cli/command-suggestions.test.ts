import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { SuggestingCommand } from '../../../src/cli/command-suggestions.js';

/** A program shaped like agent-vault's: `inject` and `read` beside `init`, `audit` with an action and `verify`. */
function program(): SuggestingCommand {
  const root = new SuggestingCommand('agent-vault').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const name of ['init', 'inject', 'read', 'status']) root.command(name).action(() => {});
  const audit = root.command('audit').action(() => {});
  audit.command('verify').action(() => {});
  audit.command('report').action(() => {});
  const credential = root.command('credential');
  credential.command('get').alias('show').action(() => {});
  return root;
}

function failure(args: string[]): CommanderError {
  try {
    program().parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  throw new Error(`${args.join(' ')} did not fail`);
}

describe('command word suggestions', () => {
  it.each([
    [['injct'], 'inject'],
    [['raed'], 'read'],
    [['audit', 'verfy'], 'audit verify'],
    [['credential', 'shwo'], 'show'],
  ])('%j suggests %s, and nothing else', (args, meant) => {
    const err = failure(args);
    expect(err.code).toBe('commander.unknownCommand');
    expect(err.message).toMatch(new RegExp(`\\(Did you mean ${meant}\\?\\)$`));
  });

  it('suggests nothing for a word near no command', () => {
    expect(failure(['frobnicate']).message).toBe("error: unknown command 'frobnicate'");
    expect(failure(['audit', 'xyzzy']).message).toBe("error: unknown command 'audit xyzzy'");
  });

  it('leaves an excess argument of a command without subcommands to commander', () => {
    expect(failure(['status', 'extra']).code).toBe('commander.excessArguments');
  });
});
