/**
 * Text that came from a vault, a store file or a caller, made safe to print for a
 * person. A credential's name, username, URI or tag, an audit line's program name or
 * an id quoted in an error is written by whoever could write it, an agent among them;
 * printed raw, an escape sequence in it drives the owner's terminal (OSC 52 writes the
 * clipboard, CSI 2J clears the screen, a title sequence can be echoed back as input).
 * Every control character is therefore shown as an escape (`\x1b`, `\n`, `\u202e`)
 * instead of being sent; the ESC that would start a sequence becomes visible text, so
 * the rest of the sequence is harmless text too. Pure.
 */

/**
 * C0 (tab and line feed included), DEL and C1, which terminals act on; and the Unicode
 * line separators and bidirectional overrides and isolates, which move or hide what
 * follows them on screen without being seen themselves.
 */
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[${CONTROLS}]`, 'g');
const CONTROL_OR_BACKSLASH = new RegExp(`[\\\\${CONTROLS}]`, 'g');
/** The same classes without `g`, for a test that keeps no state: most text has nothing to escape, and is then returned as it is. */
const HAS_CONTROL = new RegExp(`[${CONTROLS}]`);
const HAS_CONTROL_OR_BACKSLASH = new RegExp(`[\\\\${CONTROLS}]`);
const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escape(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  const code = char.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface EscapeOptions {
  /**
   * Also write `\` as `\\`, so that the text can be recovered exactly from the result:
   * for a field of a tab-separated line, which a program reads.
   */
  reversible?: boolean;
  /** Keep line feeds: for a message of several lines that the program itself composed. */
  keepNewlines?: boolean;
}

/** `text` with every control character shown as an escape; see the module comment. */
export function escapeControls(text: string, options: EscapeOptions = {}): string {
  if (!(options.reversible ? HAS_CONTROL_OR_BACKSLASH : HAS_CONTROL).test(text)) return text;
  return text.replace(options.reversible ? CONTROL_OR_BACKSLASH : CONTROL, (char) => (char === '\\' ? '\\\\' : options.keepNewlines && char === '\n' ? char : escape(char)));
}
