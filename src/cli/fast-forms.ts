/**
 * Which fast form a command line is, by its words alone: the strict matching the fast
 * path (cli/fast-path.ts) and the generator's own bundle (cli/generate-main.ts) share.
 * It imports nothing, so a bundle that matches with it holds none of the actions it
 * does not run.
 *
 * The matching is strict: the words of the form, a key that is not an option, and at
 * most one `--json` anywhere before any `--`. Every other command line (any other
 * option, `--help`, a missing or extra word) is no fast form: commander parses it, so
 * help, "did you mean" and usage errors are commander's own.
 */

/** A fast form and what its words gave: the key read, and whether `--json` was there. */
export type FastForm =
  | { name: 'version' }
  | { name: 'get'; key: string; json: boolean }
  | { name: 'generate'; json: boolean }
  | { name: 'list'; json: boolean }
  | { name: 'totp'; key: string; json: boolean };

/** An argument commander would take as a value, not as an option. */
function isValue(word: string | undefined): word is string {
  return word !== undefined && !word.startsWith('-');
}

/** The fast form `argv` (as in `process.argv`) is, or undefined for every other command line. */
export function fastForm(argv: readonly string[]): FastForm | undefined {
  const args = argv.slice(2);
  if (args.length === 1 && args[0] === '--version') return { name: 'version' };
  const jsonAt = args.indexOf('--json');
  const json = jsonAt >= 0;
  const words = json ? [...args.slice(0, jsonAt), ...args.slice(jsonAt + 1)] : args;
  if (words.includes('--json')) return undefined;
  const [first, second, third] = words;
  const credential = first === 'credential' || first === 'cred';
  if (words.length === 3 && credential && second === 'get' && isValue(third)) return { name: 'get', key: third, json };
  if (words.length === 1 && first === 'generate') return { name: 'generate', json };
  if (words.length === 2 && credential && (second === 'list' || second === 'ls')) return { name: 'list', json };
  if (words.length === 2 && first === 'totp' && isValue(second)) return { name: 'totp', key: second, json };
  return undefined;
}
