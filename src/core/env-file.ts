/**
 * `exec --env-file`: a dotenv file whose values are plain (`PLAIN=x`, quoted, `export`ed,
 * multi-line) or credential references (`NAME=av://<agent>/<KEY>[/<field>]`, parsed by
 * core/reference.ts). Pure: the CLI reads the assignments with dotenv's parser
 * (`readDotenvAssignments`, loaded only for --env-file) and hands them here. Errors name
 * a line, never its text: it might hold a value typed there by mistake.
 */
import { UsageError } from './errors.js';
import { namesTotpSecret, parseReference, REFERENCE_SCHEME, type ValueReference } from './reference.js';

/** One `NAME=av://agent/KEY[/field]` line. */
export interface CredentialReference extends ValueReference {
  name: string;
  line: number;
}

/** One `NAME=value` line with a value of its own. */
export interface PlainEnvLine {
  name: string;
  value: string;
  line: number;
}

/** What an env file sets: credential references and plain values, each in file order. */
export interface EnvFile {
  references: CredentialReference[];
  plain: PlainEnvLine[];
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits the file's assignments (in order, with the line each starts on) into
 * references and plain values; `source` names the file in errors. A value that starts
 * with av:// must be a whole, valid reference; a name must be a variable name, set once.
 */
export function parseEnvFile(assignments: ReadonlyArray<{ name: string; value: string; line: number }>, source: string): EnvFile {
  const file: EnvFile = { references: [], plain: [] };
  const names = new Set<string>();
  for (const { name, value, line } of assignments) {
    const where = `line ${line} of ${source}`;
    if (!ENV_NAME.test(name)) throw new UsageError(`${where} sets a name that is not a variable name`, 'a name is letters, digits and _, and does not start with a digit');
    if (names.has(name)) throw new UsageError(`${where} sets ${name} a second time`);
    names.add(name);
    if (!value.startsWith(REFERENCE_SCHEME)) {
      file.plain.push({ name, value, line });
      continue;
    }
    const reference = parseReference(value);
    if (!reference) throw new UsageError(`${where} is not a credential reference`, 'write NAME=av://<agent>/<KEY> or NAME=av://<agent>/<KEY>/<field>');
    // As with whole credentials, a TOTP secret is never injected: it makes every future code.
    if (namesTotpSecret(reference)) throw new UsageError(`${where} names a TOTP secret, which exec never injects`, `a command that needs a code can run: agent-vault totp ${reference.key}`);
    file.references.push({ name, ...reference, line });
  }
  return file;
}
