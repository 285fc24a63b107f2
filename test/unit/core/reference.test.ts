import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '../../../src/core/errors.js';
import { checkReference, formatReference, parseReference, renderTemplate, templateReferences } from '../../../src/core/reference.js';

describe('references', () => {
  it('parses av://agent/KEY and av://agent/KEY/field, and formats them back', () => {
    expect(parseReference('av://ci-bot/DATABASE/password')).toEqual({ agent: 'ci-bot', key: 'DATABASE', field: 'password' });
    expect(parseReference('av://bot1/API_KEY')).toEqual({ agent: 'bot1', key: 'API_KEY' });
    for (const text of ['av://ci-bot/DATABASE/password', 'av://bot1/API_KEY']) expect(formatReference(parseReference(text)!)).toBe(text);
  });

  it.each(['av://Bot/KEY', 'av://bot/key', 'av://bot', 'av://bot/KEY/', 'av://bot/KEY/Field', 'av://bot/KEY/a/b', 'op://bot/KEY', ' av://bot/KEY', 'av://bot/KEY '])('rejects %j', (text) => {
    expect(parseReference(text)).toBeUndefined();
    expect(() => checkReference(text, 'the argument')).toThrow(UsageError);
  });

  it('never quotes a malformed reference in its error', () => {
    expect(() => checkReference('av://bot/sk-live-123', 'the argument')).toThrow(/^the argument is not a credential reference$/);
  });

  it('finds {{ av://… }} with optional spaces, with line numbers, leaving other braces alone', () => {
    const template = 'a: {{av://b/K}}\nb: {{ .Values.x }}\n\nc: {{   av://b/L/password }} d: {{ av://b/K }}\n';
    const found = templateReferences(template, 'f');
    expect(found.map((r) => [r.line, formatReference(r.reference)])).toEqual([
      [1, 'av://b/K'],
      [4, 'av://b/L/password'],
      [4, 'av://b/K'],
    ]);
    expect(renderTemplate(template, found, ['1', '2', '3'])).toBe('a: 1\nb: {{ .Values.x }}\n\nc: 2 d: 3\n');
    expect(() => templateReferences('ok\n\nx: {{ av://b/bad }}\n', 'tpl')).toThrow('the reference on line 3 of tpl is not a credential reference');
  });

  it('never fails on any text but with a usage error, and every reference it finds parses', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (junk, tail) => {
        const text = `${junk}{{ av://${tail} }}${junk}`;
        try {
          for (const found of templateReferences(text, 'f')) expect(parseReference(formatReference(found.reference))).toEqual(found.reference);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
        expect(() => parseReference(junk)).not.toThrow();
      }),
    );
  });

  it('renders any text without references unchanged, and values verbatim (no re-expansion)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const refs = templateReferences(text.replaceAll('{{', '{ {'), 'f');
        expect(renderTemplate(text.replaceAll('{{', '{ {'), refs, [])).toBe(text.replaceAll('{{', '{ {'));
      }),
    );
    const found = templateReferences('{{ av://b/K }}', 'f');
    expect(renderTemplate('{{ av://b/K }}', found, ['{{ av://b/L }}$1'])).toBe('{{ av://b/L }}$1');
  });
});
