/**
 * The commander-free fast path: the hottest exact command lines run here without
 * loading commander, chalk, cli-table3 or the command tree, which is most of what a
 * `credential get` would otherwise spend starting up. Each form calls the same action
 * as its commander command (`runGet`, `runTotp`, `runGenerate`, `runList`), with the options commander would
 * have parsed, so a change to what the command does reaches both paths; errors go
 * through the same cli/report-error.ts, in cli/run.ts.
 *
 * The matching is strict: the words of the form, a key that is not an option, and at
 * most one `--json` anywhere before any `--`. Every other command line (any other
 * option, `--help`, a missing or extra word) goes to commander, which parses it, so
 * help, "did you mean" and usage errors are commander's own.
 *
 * The actions are imported when a form matches: `--version` then evaluates none of
 * their modules (node:crypto among them). In the bundle these imports are esbuild's
 * lazy module initialisers, compiled with the rest and run on first use.
 *
 * To add a form: a matcher below that returns the action with the exact option
 * objects commander would pass (defaults included: `--no-x` flags default to true),
 * and its cases in test/cli/fast-path.test.ts, which run every case through both paths.
 */
import type { GlobalOptions } from './context.js';
import type { IO } from './io.js';
import { cliVersion } from './version.js';

/** A matched command line: runs it on `io` (errors are thrown, for cli/run.ts to report). */
export type FastCommand = (io: IO) => Promise<void>;

/** The global options commander gives every command when none is given: `--no-color`'s default. */
function globals(json: boolean): GlobalOptions {
  return json ? { color: true, json: true } : { color: true };
}

/** An argument commander would take as a value, not as an option. */
function isValue(word: string | undefined): word is string {
  return word !== undefined && !word.startsWith('-');
}

/** The command `argv` (as in `process.argv`) is, if it is one of the fast forms; otherwise undefined. */
export function fastCommand(argv: readonly string[]): FastCommand | undefined {
  const args = argv.slice(2);
  if (args.length === 1 && args[0] === '--version') return async (io) => io.out(`${cliVersion()}\n`);
  const jsonAt = args.indexOf('--json');
  const json = jsonAt >= 0;
  const words = json ? [...args.slice(0, jsonAt), ...args.slice(jsonAt + 1)] : args;
  if (words.includes('--json')) return undefined;
  const [first, second, third] = words;
  if (words.length === 3 && (first === 'credential' || first === 'cred') && second === 'get' && isValue(third)) {
    const options = { newline: true };
    return async (io) => {
      const [{ runGet }, { Context }] = await Promise.all([import('./commands/credential/get.js'), import('./context.js')]);
      await runGet(new Context(io, { ...globals(json), ...options }), third, options);
    };
  }
  if (words.length === 1 && first === 'generate') {
    // Commander's defaults for the generator flags: every `--no-<class>` is true unless given.
    const options = { upper: true, lower: true, digits: true, symbols: true };
    return async (io) => {
      const [{ runGenerate }, { Context }] = await Promise.all([import('./commands/generate-run.js'), import('./context.js')]);
      await runGenerate(new Context(io, globals(json)), options);
    };
  }
  if (words.length === 2 && (first === 'credential' || first === 'cred') && (second === 'list' || second === 'ls')) {
    return async (io) => {
      const [{ runList }, { Context }] = await Promise.all([import('./commands/credential/list-run.js'), import('./context.js')]);
      await runList(new Context(io, globals(json)), undefined, {});
    };
  }
  if (words.length === 2 && first === 'totp' && isValue(second)) {
    return async (io) => {
      const [{ runTotp }, { Context }] = await Promise.all([import('./commands/totp.js'), import('./context.js')]);
      await runTotp(new Context(io, globals(json)), second, {});
    };
  }
  return undefined;
}
