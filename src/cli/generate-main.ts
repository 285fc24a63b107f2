/**
 * The entry point of dist/generate.cjs, the bundle the bin loads first for a command
 * line whose first word is `generate`: a bare `generate` (cli/fast-forms.ts) runs here
 * with the generator alone (no backend, vault format or session: a seventh of dist/fast.cjs), and
 * any other command line is left to dist/cli.cjs, which the bin then loads.
 */
import { runBareGenerate } from './commands/generate-value.js';
import { fastForm } from './fast-forms.js';
import { fastRunner, runCommandLine } from './run.js';

/** Runs `argv` (as in `process.argv`) if it is a bare `generate` and returns the exit code; undefined, having done nothing, if it is not. */
export async function fastMain(argv: string[]): Promise<number | undefined> {
  const form = fastForm(argv);
  return form?.name === 'generate' ? runCommandLine(argv, undefined, fastRunner((io) => runBareGenerate(io, form.json))) : undefined;
}
