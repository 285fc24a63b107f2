/**
 * `credential add` on a terminal without field options: a walk through the fields of
 * the chosen type, secrets masked, a generated password offered for a login, a note's
 * notes written in the editor if the user wants. Nothing is
 * written until every answer is in, so Ctrl-C anywhere (exit 8) leaves the vault as it was.
 */
import { CREDENTIAL_TYPES, type CredentialInput, type CredentialType } from '../core/credential.js';
import { TOTP_FIELD, typeSpec, type FieldSpec } from '../core/credential-types.js';
import { DEFAULT_LENGTH } from '../core/generator.js';
import { normaliseTotpSecret } from '../core/totp.js';
import { UsageError, VaultError } from '../core/errors.js';
import { escapeControls } from '../core/terminal-text.js';
import type { IO, Prompter } from './io.js';
import { generateValue } from './commands/generate-value.js';

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Asks until `check` accepts the answer; an empty answer to an optional field is no value. */
async function ask(read: (label: string) => Promise<string>, io: IO, label: string, required: boolean, check: (value: string) => void = () => {}): Promise<string | undefined> {
  for (;;) {
    const value = await read(label);
    if (value === '' && !required) return undefined;
    try {
      if (value === '') throw new UsageError('a value is needed');
      check(value);
      return value;
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      io.err(`${escapeControls(err.message)}\n`);
    }
  }
}

async function askPassword(prompter: Prompter, io: IO, field: FieldSpec): Promise<string | undefined> {
  if (await prompter.confirm(`Generate a strong ${DEFAULT_LENGTH}-character password?`, { default: true })) {
    io.err(`generated a ${DEFAULT_LENGTH}-character password (read it with: credential get KEY)\n`);
    return (await generateValue()).value;
  }
  return ask((label) => prompter.password(label), io, field.label, !field.optional);
}

/** A field of several lines (a note's notes) in the editor if the user wants it, else at a masked prompt of one line. */
async function askMultiline(prompter: Prompter, io: IO, field: FieldSpec): Promise<string | undefined> {
  const inEditor = await prompter.confirm(`Write the ${field.label.toLowerCase()} in your editor ($VISUAL, $EDITOR or vi)?`, { default: true });
  return ask((label) => (inEditor ? prompter.editor(label) : prompter.password(label)), io, field.label, !field.optional);
}

/** Asks for one field: a plain one echoed, a secret one masked, a TOTP secret until it parses. */
function askField(prompter: Prompter, io: IO, field: FieldSpec): Promise<string | undefined> {
  if (!field.secret) return ask((label) => prompter.input(label), io, field.label, !field.optional);
  if (field.offerGenerated) return askPassword(prompter, io, field);
  if (field.multiline) return askMultiline(prompter, io, field);
  return ask((label) => prompter.password(label), io, field.label, !field.optional, field.name === TOTP_FIELD ? normaliseTotpSecret : undefined);
}

/** Walks through a new credential's fields, plain ones first; `type` is asked for when not given. */
export async function walkThroughCredential(io: IO, type: CredentialType | undefined): Promise<{ type: CredentialType; input: CredentialInput }> {
  const prompter = await io.prompter();
  const chosen = type ?? (await prompter.select('Type', CREDENTIAL_TYPES));
  const spec = typeSpec(chosen);
  const fields: Record<string, string> = {};
  const name = await prompter.input('Display name (optional)');
  const askEach = async (secret: boolean): Promise<void> => {
    for (const field of spec.fields.filter((f) => f.secret === secret)) {
      const value = await askField(prompter, io, field);
      if (value !== undefined) fields[field.name] = value;
    }
  };
  await askEach(false);
  const uris = spec.uris ? list(await prompter.input('URIs, comma-separated (optional)')) : [];
  await askEach(true);
  const tags = list(await prompter.input('Tags, comma-separated (optional)'));
  return { type: chosen, input: { ...(name ? { name } : {}), tags, uris, fields } };
}
