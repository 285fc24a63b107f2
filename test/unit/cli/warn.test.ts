import { describe, expect, it } from 'vitest';
import { Context } from '../../../src/cli/context.js';
import { testIO } from '../../../src/cli/io.js';

describe('Context.warn', () => {
  it('escapes control characters a warning quotes, and keeps them exact in --json', () => {
    const io = testIO();
    new Context(io, {}).warn('skipped agent x: \x1b]52;c;aGk=\x07 in a name');
    expect(io.stderrText()).not.toContain('\x1b');
    expect(io.stderrText()).toMatch(/^warning: skipped agent x: \\x1b/);
    const json = testIO();
    new Context(json, { json: true }).warn('a \x1b b');
    expect(JSON.parse(json.stderrText())).toEqual({ warning: 'a \x1b b' });
  });
});
