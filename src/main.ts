/**
 * The entry point of the whole CLI (dist/cli.cjs): runs the command line on the fast
 * path when it is one of the fast forms, else through the commander program, with
 * cli/run.ts's error-to-exit mapping. The bin tries src/cli/fast-main.ts first, whose
 * bundle holds only the fast forms; this one still runs them for callers of `main`.
 */
import { ExitCode } from './core/errors.js';
import { fastCommand } from './cli/fast-path.js';
import type { IO } from './cli/io.js';
import { fastRunner, optionGiven, runCommandLine } from './cli/run.js';
import { cliVersion } from './cli/version.js';

/** How {@link main} runs a command line: tests set `fastPath: false` to run a fast form through commander. */
export interface MainOptions {
  fastPath?: boolean;
}

/** Runs the CLI with `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: string[], given?: IO, how: MainOptions = {}): Promise<number> {
  const fast = how.fastPath === false ? undefined : fastCommand(argv);
  if (fast) return runCommandLine(argv, given, fastRunner(fast));
  return runCommandLine(argv, given, async (io) => {
    // Loaded here, not imported above: the fast path never evaluates commander or the command tree.
    const { buildProgram } = await import('./cli/program.js');
    let exitCode: number = ExitCode.ok;
    const program = buildProgram({ io, argv, setExitCode: (code) => (exitCode = code) }, { json: optionGiven(argv, '--json'), version: cliVersion() });
    await program.parseAsync(argv);
    return exitCode;
  });
}
