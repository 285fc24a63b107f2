/**
 * "Did you mean" for command words, ranked by core/suggest.ts (the same ranking as for
 * credential keys) instead of commander's own: commander takes any word within 40%
 * similarity, so `injct` would be taken for `init`. A command that has both an action
 * and subcommands (`audit`, `audit verify`) gets the suggestion too, where commander
 * says only "too many arguments".
 */
import { Command } from 'commander';
import { suggest } from '../core/suggest.js';

/** The words a mistyped subcommand of `command` may have meant: its visible subcommands and their aliases. */
function subcommandWords(command: Command): string[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .flatMap((c) => [c.name(), ...c.aliases()]);
}

function suggestion(word: string, command: Command, prefix = ''): string {
  const near = suggest(word, subcommandWords(command)).map((w) => `${prefix}${w}`);
  return near.length === 0 ? '' : `\n(Did you mean ${near.join(' or ')}?)`;
}

/** commander's own handler of excess arguments, which this class falls back to. */
const excessArguments = (Command.prototype as unknown as { _excessArguments(this: Command, received: string[]): void })._excessArguments;

/** The program's command class: every `.command()` under it is one too (createCommand). */
export class SuggestingCommand extends Command {
  override createCommand(name?: string): Command {
    return new SuggestingCommand(name);
  }

  /** Called by commander for a word that names no subcommand of a command without an action. */
  unknownCommand(): void {
    const word = this.args[0] ?? '';
    this.error(`error: unknown command '${word}'${suggestion(word, this)}`, { code: 'commander.unknownCommand' });
  }

  /** Called by commander when a command with an action got more arguments than it declares. */
  _excessArguments(received: string[]): void {
    const [word] = received;
    if (word !== undefined && this.registeredArguments.length === 0 && this.commands.length > 0) {
      this.error(`error: unknown command '${this.name()} ${word}'${suggestion(word, this, `${this.name()} `)}`, { code: 'commander.unknownCommand' });
    }
    excessArguments.call(this, received);
  }
}
