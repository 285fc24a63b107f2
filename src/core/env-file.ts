/**
 * Credential references for `exec --env-file`: lines `NAME=av://<agent>/<KEY>[/<field>]`,
 * blank lines and `#` comments ignored. Pure. A malformed line is a usage error naming
 * its number, never its text (it might hold a value typed there by mistake).
 */
import { UsageError } from './errors.js';
import { isAgentId, isCredentialKey } from './ids.js';

/** One `NAME=av://agent/KEY[/field]` line. */
export interface CredentialReference {
  name: string;
  agent: string;
  key: string;
  field?: string;
  line: number;
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)=av:\/\/([^/\s]+)\/([^/\s]+)(?:\/([a-z_-]+))?$/;

/** Parses an env file's text; `source` names it in errors. */
export function parseEnvFile(text: string, source: string): CredentialReference[] {
  const references: CredentialReference[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${index + 1} of ${source}`;
    const match = REFERENCE.exec(line);
    if (!match || !isAgentId(match[2]!) || !isCredentialKey(match[3]!)) {
      throw new UsageError(`${where} is not a credential reference`, 'write NAME=av://<agent>/<KEY> or NAME=av://<agent>/<KEY>/<field>');
    }
    const [, name, agent, key, field] = match as unknown as [string, string, string, string, string | undefined];
    // As with whole credentials, a TOTP secret is never injected: it makes every future code.
    if (field?.replaceAll('-', '_') === 'totp') throw new UsageError(`${where} names a TOTP secret, which exec never injects`, `a command that needs a code can run: agent-vault totp ${key}`);
    if (names.has(name)) throw new UsageError(`${where} sets ${name} a second time`);
    names.add(name);
    references.push({ name, agent, key, ...(field === undefined ? {} : { field }), line: index + 1 });
  });
  return references;
}
