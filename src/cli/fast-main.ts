/**
 * The entry point of dist/fast.cjs, the bundle the bin loads first: only the fast forms
 * of cli/fast-path.ts and what they use, without the command tree, so a `credential get`
 * loads and compiles a third of the code the whole CLI is. Any other command line is
 * left to dist/cli.cjs (src/main.ts), which the bin then loads.
 */
import { fastCommand } from './fast-path.js';
import { fastRunner, runCommandLine } from './run.js';

/** Runs `argv` (as in `process.argv`) if it is a fast form and returns the exit code; undefined, having done nothing, if it is not. */
export async function fastMain(argv: string[]): Promise<number | undefined> {
  const fast = fastCommand(argv);
  return fast === undefined ? undefined : runCommandLine(argv, undefined, fastRunner(fast));
}
