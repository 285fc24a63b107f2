/**
 * The walk-through of `credential add` asks each type's questions from the type table:
 * plain fields echoed, then the URIs, then secrets masked, re-asking what is required.
 */
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_TYPES, type CredentialType } from '../../../src/core/credential.js';
import { CREDENTIAL_TYPE_SPECS, TOTP_FIELD } from '../../../src/core/credential-types.js';
import { testIO, type Prompter } from '../../../src/cli/io.js';
import { walkThroughCredential } from '../../../src/cli/interactive-add.js';

const TOTP = 'JBSWY3DPEHPK3PXP';

/** A prompter that records each question (`input:`, `password:`, …) and answers from `answer`. */
function scripted(answer: (kind: string, label: string) => string | boolean) {
  const asked: string[] = [];
  const reply = (kind: string, label: string) => {
    asked.push(`${kind}:${label}`);
    return answer(kind, label);
  };
  const prompter: Prompter = {
    input: async (label) => reply('input', label) as string,
    password: async (label) => reply('password', label) as string,
    editor: async (label) => reply('editor', label) as string,
    confirm: async (label) => reply('confirm', label) as boolean,
    select: async <T extends string>(label: string, choices: readonly T[]) => {
      asked.push(`select:${label}:${choices.join(',')}`);
      return choices[choices.length - 1]!;
    },
  };
  return { asked, prompter };
}

function walk(type: CredentialType | undefined, answer: (kind: string, label: string) => string | boolean) {
  const io = testIO({ tty: true });
  const { asked, prompter } = scripted(answer);
  io.prompter = async () => prompter;
  return { io, asked, result: walkThroughCredential(io, type) };
}

describe('walkThroughCredential', () => {
  it.each(CREDENTIAL_TYPE_SPECS.map((spec) => [spec.name, spec] as const))('asks for the plain fields of %s, URIs, then secrets, and keeps every answer', async (name, spec) => {
    const { asked, result } = walk(name as CredentialType, (kind, label) => (kind === 'confirm' ? false : label === 'URIs, comma-separated (optional)' ? 'https://a, https://b' : label.startsWith('TOTP') ? TOTP : `answer to ${label}`));
    const { type, input } = await result;
    const plain = spec.fields.filter((f) => !f.secret);
    const secrets = spec.fields.filter((f) => f.secret);
    expect(asked).toEqual([
      'input:Display name (optional)',
      ...plain.map((f) => `input:${f.label}`),
      ...(spec.uris ? ['input:URIs, comma-separated (optional)'] : []),
      ...secrets.flatMap((f) => [
        ...(f.offerGenerated ? ['confirm:Generate a strong 24-character password?'] : []),
        ...(f.multiline ? [`confirm:Write the ${f.label.toLowerCase()} in your editor ($VISUAL, $EDITOR or vi)?`] : []),
        `password:${f.label}`,
      ]),
      'input:Tags, comma-separated (optional)',
    ]);
    expect(type).toBe(name);
    expect(input.uris).toEqual(spec.uris ? ['https://a', 'https://b'] : []);
    expect(input.fields).toEqual(Object.fromEntries(spec.fields.map((f) => [f.name, f.name === TOTP_FIELD ? TOTP : `answer to ${f.label}`])));
  });

  it.each(CREDENTIAL_TYPE_SPECS.map((spec) => [spec.name, spec] as const))('re-asks a required field of %s and skips an empty optional one', async (name, spec) => {
    const seen = new Set<string>();
    const { io, asked, result } = walk(name as CredentialType, (kind, label) => {
      if (kind === 'confirm') return false;
      const first = !seen.has(label);
      seen.add(label);
      return first ? '' : `second ${label}`;
    });
    const { input } = await result;
    const required = spec.fields.filter((f) => !f.optional);
    expect(input.fields).toEqual(Object.fromEntries(required.map((f) => [f.name, `second ${f.label}`])));
    for (const f of spec.fields) expect(asked.filter((q) => q.endsWith(`:${f.label}`))).toHaveLength(f.optional ? 1 : 2);
    expect(io.stderrText()).toBe('a value is needed\n'.repeat(required.length));
  });

  it('asks for the type when none is given, offering each one', async () => {
    const { asked, result } = walk(undefined, (kind) => (kind === 'confirm' ? false : kind === 'password' ? 'v' : ''));
    expect((await result).type).toBe(CREDENTIAL_TYPES.at(-1));
    expect(asked[0]).toBe(`select:Type:${CREDENTIAL_TYPES.join(',')}`);
  });

  it('generates a login password when asked to, and re-asks a TOTP secret that does not parse', async () => {
    const totpAnswers = ['not base32!', TOTP];
    const { io, asked, result } = walk('login', (kind, label) => (kind === 'confirm' ? true : label.startsWith('TOTP') ? totpAnswers.shift()! : ''));
    const { input } = await result;
    expect(input.fields?.password).toMatch(/^\S{24}$/);
    expect(input.fields?.totp).toBe(TOTP);
    expect(asked).not.toContain('password:Password');
    expect(asked.filter((q) => q.startsWith('password:TOTP'))).toHaveLength(2);
    expect(io.stderrText()).toContain('generated a 24-character password');
    expect(io.stderrText()).not.toContain(input.fields!.password!);
  });

  it('writes a note\'s notes in the editor when the user says so, keeping every line', async () => {
    const { asked, result } = walk('secure_note', (kind) => (kind === 'confirm' ? true : kind === 'editor' ? 'line one\n\nline three' : ''));
    expect((await result).input.fields).toEqual({ notes: 'line one\n\nline three' });
    expect(asked).toContain('editor:Notes');
    expect(asked).not.toContain('password:Notes');
  });
});
