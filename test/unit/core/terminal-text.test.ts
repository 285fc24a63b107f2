import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../../src/core/terminal-text.js';

/** Undoes `escapeControls(text, { reversible: true })`, as a reader of a tab-separated line would. */
function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[tnr\\])/g, (_, e: string) =>
    e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16)),
  );
}

/** Every character a terminal acts on, or that moves text on screen unseen. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeControls', () => {
  it('shows OSC 52, CSI and C1 sequences as text instead of sending them', () => {
    expect(escapeControls('\x1b]52;c;aGk=\x07')).toBe('\\x1b]52;c;aGk=\\x07');
    expect(escapeControls('a\x1b[2Jb\u009b2J\x7f')).toBe('a\\x1b[2Jb\\x9b2J\\x7f');
    expect(escapeControls('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
  });

  it('shows tabs and line breaks, unless newlines are the message\'s own', () => {
    expect(escapeControls('a\tb\nc\r')).toBe('a\\tb\\nc\\r');
    expect(escapeControls('one\ntwo\x1b', { keepNewlines: true })).toBe('one\ntwo\\x1b');
  });

  it('leaves printable text alone, backslashes and non-ASCII included', () => {
    expect(escapeControls('C:\\path ünï 日本 🔑')).toBe('C:\\path ünï 日本 🔑');
  });

  it('never lets a control character through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(CONTROL.test(escapeControls(text))).toBe(false);
        expect(CONTROL.test(escapeControls(text, { reversible: true }))).toBe(false);
      }),
    );
  });

  it('can be undone exactly in its reversible form (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(unescape(escapeControls(text, { reversible: true }))).toBe(text);
      }),
    );
  });
});
