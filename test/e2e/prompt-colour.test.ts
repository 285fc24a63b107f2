/**
 * `--no-color` and NO_COLOR quiet the prompts too: @inquirer/prompts colours its own
 * prefix and message, so on a terminal that takes colour a prompt is coloured unless
 * either says no.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHEAP_KDF, TempStore } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

const PASS = 'tangerine-orbit-quiet-7-Hollow';
/** A select graphic rendition (colour, bold, dim): what "no colour" rules out. Cursor moves and clears are not colour. */
const SGR = /\x1b\[[0-9;]*m/;

describe.skipIf(skipWithout('python3'))('prompt colours', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  const init = (flags: string[], env: NodeJS.ProcessEnv = {}): string => {
    const result = runInPty(['init', ...CHEAP_KDF, ...flags], [
      { expect: 'New owner passphrase' },
      { send: `${PASS}${KEY.enter}` },
      { expect: 'Repeat the passphrase' },
      { send: `${PASS}${KEY.enter}` },
    ], { ...store.env, TERM: 'xterm-256color', ...env });
    expect(result.timeout).toBe(false);
    expect(result.code).toBe(0);
    return result.output;
  };

  it('are there on a colour terminal', () => {
    expect(init([])).toMatch(SGR);
  });

  it('are gone with --no-color, the prompt itself still shown', () => {
    const output = init(['--no-color']);
    expect(output).toContain('New owner passphrase');
    expect(output).not.toMatch(SGR);
  });

  it('are gone with NO_COLOR', () => {
    expect(init([], { NO_COLOR: '1' })).not.toMatch(SGR);
  });
});
