/**
 * Which environment variables `exec` makes of a credential. `api_key` and
 * `secure_note` give one variable named by the key; `login`, `card` and `identity` give
 * `KEY_<FIELD>` for each field they have (`GITHUB_USERNAME`, `GITHUB_PASSWORD`). A
 * TOTP secret is never exported: the seed makes every future code, and a child that
 * needs a code can run `agent-vault totp`. Pure.
 */
import type { Credential } from './credential.js';
import { UsageError } from './errors.js';
import { ENV_NAME } from './env-file.js';

const SINGLE_VALUE: Record<string, string> = { api_key: 'value', secure_note: 'notes' };

/** The `[name, value]` pairs a credential contributes, names prefixed with `prefix`. */
export function credentialEnv(credential: Credential, prefix = ''): Array<[string, string]> {
  const single = SINGLE_VALUE[credential.type];
  if (single !== undefined) {
    const value = credential.fields[single];
    return value === undefined ? [] : [[`${prefix}${credential.key}`, value]];
  }
  return Object.entries(credential.fields)
    .filter(([field]) => field !== 'totp')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([field, value]) => [`${prefix}${credential.key}_${field.toUpperCase()}`, value]);
}

/** Checks an `--prefix` value: it must start a valid variable name. */
export function checkEnvPrefix(prefix: string): string {
  if (prefix !== '' && !ENV_NAME.test(prefix)) {
    throw new UsageError(`invalid prefix ${JSON.stringify(prefix.slice(0, 40))}`, 'a prefix is letters, digits and _, not starting with a digit');
  }
  return prefix;
}
