/**
 * `credential add` on a terminal without field options: a walk through the fields of
 * the chosen type, secrets masked, a generated password offered for a login. Nothing is
 * written until every answer is in, so Ctrl-C anywhere (exit 8) leaves the vault as it was.
 */
import { CREDENTIAL_TYPES, TYPE_SCHEMAS, type CredentialInput, type CredentialType } from '../core/credential.js';
import { CLASS_NAMES, DEFAULT_LENGTH, generatePassword } from '../core/generator.js';
import { normaliseTotpSecret } from '../core/totp.js';
import { UsageError, VaultError } from '../core/errors.js';
import type { IO, Prompter } from './io.js';

const LABELS: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  totp: 'TOTP secret or otpauth:// URI (optional)',
  notes: 'Notes',
  number: 'Card number',
  cvv: 'CVV (optional)',
  cardholder: 'Cardholder (optional)',
  expiry: 'Expiry, e.g. 12/29 (optional)',
  full_name: 'Full name (optional)',
  email: 'Email (optional)',
  phone: 'Phone (optional)',
  address: 'Address (optional)',
  value: 'Value',
};

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Asks until `check` accepts the answer; an empty answer to an optional field is no value. */
async function askSecret(prompter: Prompter, io: IO, label: string, required: boolean, check: (value: string) => void = () => {}): Promise<string | undefined> {
  for (;;) {
    const value = await prompter.password(label);
    if (value === '' && !required) return undefined;
    try {
      if (value === '') throw new UsageError('a value is needed');
      check(value);
      return value;
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      io.err(`${err.message}\n`);
    }
  }
}

async function askPassword(prompter: Prompter, io: IO): Promise<string | undefined> {
  if (await prompter.confirm(`Generate a strong ${DEFAULT_LENGTH}-character password?`, { default: true })) {
    io.err(`generated a ${DEFAULT_LENGTH}-character password (read it with: credential get KEY)\n`);
    return generatePassword({ length: DEFAULT_LENGTH, classes: CLASS_NAMES, excludeAmbiguous: false });
  }
  return askSecret(prompter, io, LABELS.password!, false);
}

/** Walks through a new credential's fields; `type` is asked for when not given. */
export async function walkThroughCredential(io: IO, type: CredentialType | undefined): Promise<{ type: CredentialType; input: CredentialInput }> {
  const prompter = await io.prompter();
  const chosen = type ?? (await prompter.select('Type', CREDENTIAL_TYPES));
  const schema = TYPE_SCHEMAS[chosen];
  const fields: Record<string, string> = {};
  const name = await prompter.input('Display name (optional)');
  for (const field of schema.plain) {
    const value = await prompter.input(LABELS[field]!);
    if (value !== '') fields[field] = value;
  }
  const uris = chosen === 'login' ? list(await prompter.input('URIs, comma-separated (optional)')) : [];
  for (const field of schema.secrets) {
    const value =
      field === 'password'
        ? await askPassword(prompter, io)
        : field === 'totp'
          ? await askSecret(prompter, io, LABELS.totp!, false, normaliseTotpSecret)
          : await askSecret(prompter, io, LABELS[field]!, field === schema.main);
    if (value !== undefined) fields[field] = value;
  }
  const tags = list(await prompter.input('Tags, comma-separated (optional)'));
  return { type: chosen, input: { ...(name ? { name } : {}), tags, uris, fields } };
}
