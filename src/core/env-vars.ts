/**
 * Which environment variables `exec` makes of a credential, by its type's rule: one
 * variable named by the key (`api_key`, `secure_note`), or `KEY_<FIELD>` for each field
 * it has (`GITHUB_USERNAME`, `GITHUB_PASSWORD`). A TOTP secret is never exported: the
 * seed makes every future code, and a child that needs a code can run
 * `agent-vault totp`. Pure.
 */
import type { Credential } from './credential.js';
import { envNames, typeSpec } from './credential-types.js';
import { UsageError } from './errors.js';
import { ENV_NAME } from './env-file.js';

/** The `[name, value]` pairs a credential contributes, names prefixed with `prefix`, ordered by field name. */
export function credentialEnv(credential: Credential, prefix = ''): Array<[string, string]> {
  return envNames(typeSpec(credential.type), `${prefix}${credential.key}`)
    .filter(({ field }) => credential.fields[field] !== undefined)
    .sort((a, b) => (a.field < b.field ? -1 : 1))
    .map(({ field, name }) => [name, credential.fields[field]!]);
}

/** Checks an `--prefix` value: it must start a valid variable name. */
export function checkEnvPrefix(prefix: string): string {
  if (prefix !== '' && !ENV_NAME.test(prefix)) {
    throw new UsageError(`invalid prefix ${JSON.stringify(prefix.slice(0, 40))}`, 'a prefix is letters, digits and _, not starting with a digit');
  }
  return prefix;
}
