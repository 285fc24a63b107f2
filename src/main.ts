/**
 * The entry point: builds the IO, runs the command line (on the fast path, else through
 * the commander program), and maps every error to the exit codes of SPEC.md through
 * cli/report-error.ts. Nothing else decides an exit status.
 */
import { ExitCode } from './core/errors.js';
import { fastCommand } from './cli/fast-path.js';
import { systemIO, type IO } from './cli/io.js';
import { reportError } from './cli/report-error.js';
import { cliVersion } from './cli/version.js';
import { closeOpenStores } from './store/open.js';


/** True when `--json` appears among the options (before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  return optionGiven(argv, '--json');
}

/** True when `flag` appears among the options (before any `--`). */
function optionGiven(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag);
}

/** How {@link main} runs a command line: tests set `fastPath: false` to run a fast form through commander. */
export interface MainOptions {
  fastPath?: boolean;
}

/** Runs the CLI with `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: string[], given?: IO, how: MainOptions = {}): Promise<number> {
  const json = wantsJson(argv);
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
    const fast = how.fastPath === false ? undefined : fastCommand(argv);
    if (fast) {
      await fast(io);
      return ExitCode.ok;
    }
    // Loaded here, not imported above: the fast path never evaluates commander or the command tree.
    const { buildProgram } = await import('./cli/program.js');
    let exitCode: number = ExitCode.ok;
    const program = buildProgram({ io, argv, setExitCode: (code) => (exitCode = code) }, { json, version: cliVersion() });
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(io, err, json);
  } finally {
    await closeOpenStores();
  }
}
