import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { testIO } from '../../../src/cli/io.js';

/** Every command that runs something (a leaf, or a command with its own action), by path; `help` itself aside. */
function runnable(command: Command, path: string[] = []): Array<[string, Command]> {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const subPath = [...path, sub.name()];
      const hasAction = (sub as unknown as { _actionHandler: unknown })._actionHandler !== null;
      return [...(sub.commands.length === 0 || hasAction ? [[subPath.join(' '), sub] as [string, Command]] : []), ...runnable(sub, subPath)];
    });
}

describe('every command\'s --help', () => {
  const program = buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: false, version: '0.0.0' });

  it.each(runnable(program))('%s has a summary, its options and at least two examples', (_path, command) => {
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s) });
    command.outputHelp();
    expect(command.description()).toMatch(/\S/);
    for (const option of command.options) expect(text).toContain(option.long ?? option.short!);
    const examples = (text.split('\nExamples:\n')[1] ?? '').split('\n').filter((line) => line.includes('agent-vault '));
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });
});
