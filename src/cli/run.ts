/**
 * What every run of a command line shares, on either entry (src/main.ts, the whole CLI;
 * src/cli/fast-main.ts, the fast forms alone): the IO, the mapping of every error to the
 * exit codes of SPEC.md through cli/report-error.ts, and the end of the store
 * connections the command opened. Nothing else decides an exit status.
 */
import { ExitCode } from '../core/errors.js';
import { closeOpenStores } from '../store/closing.js';
import { systemIO, type IO } from './io.js';
import { reportError } from './report-error.js';

/** What runs the command line on the IO; resolves to the exit code. */
export type Runner = (io: IO) => Promise<number>;

/** True when `flag` appears among the options (before any `--`). */
export function optionGiven(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag);
}

/** Runs `runner` for `argv` (as in `process.argv`) on `given`, else the process's IO, and returns the exit code. */
export async function runCommandLine(argv: readonly string[], given: IO | undefined, runner: Runner): Promise<number> {
  const json = optionGiven(argv, '--json');
  let io: IO;
  try {
    io = given ?? (await systemIO());
  } catch (err) {
    // A re-executed process lost what it was handed over; the second try takes nothing.
    return reportError(await systemIO(), err, json);
  }
  // Prompts are drawn before commander's options are read, and colour them by themselves.
  if (optionGiven(argv, '--no-color')) io.quietPromptColour();
  try {
    return await runner(io);
  } catch (err) {
    return reportError(io, err, json);
  } finally {
    await closeOpenStores();
  }
}

/** A fast form (cli/fast-path.ts) as a runner: it exits 0 unless it throws. */
export function fastRunner(command: (io: IO) => Promise<void>): Runner {
  return async (io) => {
    await command(io);
    return ExitCode.ok;
  };
}
