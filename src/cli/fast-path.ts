/**
 * The commander-free fast path: the hottest exact command lines (cli/fast-forms.ts
 * matches them) run here without loading commander, chalk, cli-table3 or the command
 * tree, which is most of what a `credential get` would otherwise spend starting up.
 * Each form calls the same action as its commander command (`runGet`, `runBareGenerate`,
 * `runList`, `runTotp`), with the options commander would have parsed, so a change to
 * what the command does reaches both paths; errors go through the same
 * cli/report-error.ts, in cli/run.ts.
 *
 * The actions are imported when a form matches: `--version` then evaluates none of
 * their modules (node:crypto among them). In the bundle these imports are esbuild's
 * lazy module initialisers, compiled with the rest and run on first use.
 *
 * To add a form: its words in cli/fast-forms.ts, its action below with the exact option
 * objects commander would pass (defaults included: `--no-x` flags default to true),
 * and its cases in test/cli/fast-path.test.ts, which run every case through both paths.
 */
import type { GlobalOptions } from './context.js';
import { fastForm } from './fast-forms.js';
import type { IO } from './io.js';
import { cliVersion } from './version.js';

/** A matched command line: runs it on `io` (errors are thrown, for cli/run.ts to report). */
export type FastCommand = (io: IO) => Promise<void>;

/** The global options commander gives every command when none is given: `--no-color`'s default. */
function globals(json: boolean): GlobalOptions {
  return json ? { color: true, json: true } : { color: true };
}

/** The command `argv` (as in `process.argv`) is, if it is one of the fast forms; otherwise undefined. */
export function fastCommand(argv: readonly string[]): FastCommand | undefined {
  const form = fastForm(argv);
  switch (form?.name) {
    case undefined:
      return undefined;
    case 'version':
      return async (io) => io.out(`${cliVersion()}\n`);
    case 'get': {
      const options = { newline: true };
      return async (io) => {
        const [{ runGet }, { Context }] = await Promise.all([import('./commands/credential/get.js'), import('./context.js')]);
        await runGet(new Context(io, { ...globals(form.json), ...options }), form.key, options);
      };
    }
    case 'generate':
      return async (io) => {
        const { runBareGenerate } = await import('./commands/generate-value.js');
        await runBareGenerate(io, form.json);
      };
    case 'list':
      return async (io) => {
        const [{ runList }, { Context }] = await Promise.all([import('./commands/credential/list-run.js'), import('./context.js')]);
        await runList(new Context(io, globals(form.json)), undefined, {});
      };
    case 'totp':
      return async (io) => {
        const [{ runTotp }, { Context }] = await Promise.all([import('./commands/totp.js'), import('./context.js')]);
        await runTotp(new Context(io, globals(form.json)), form.key, {});
      };
  }
}
