/**
 * What a command file needs from the program around it, kept apart from program.ts so
 * that the program imports the commands and no command imports the program.
 */
import type { Command } from 'commander';
import type { IO } from './io.js';

/** What a command registration gets: the IO, and a way to set a non-zero exit without an error. */
export interface Deps {
  io: IO;
  setExitCode(code: number): void;
  /** The command line as given, for `exec`, whose child command is everything after `--`, unparsed. */
  argv: readonly string[];
}

/** Appends an "Examples:" section to a command's help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
