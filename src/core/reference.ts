/**
 * Value references, `av://<agent>/<KEY>[/<field>]`: the one parser shared by `read`,
 * `inject` templates (`{{ av://… }}`) and `exec --env-file`. Pure. Errors say where a
 * malformed reference is, never what it says: it may be a value pasted by mistake.
 */
import { UsageError } from './errors.js';
import { isAgentId, isCredentialKey } from './ids.js';

/** Where one value is: an agent's vault, a credential key, and optionally a field (else the main secret). */
export interface ValueReference {
  agent: string;
  key: string;
  field?: string;
}

/** The scheme every reference starts with. */
export const REFERENCE_SCHEME = 'av://';

const REFERENCE = /^av:\/\/([^/\s]+)\/([^/\s]+)(?:\/([a-z][a-z0-9_-]*))?$/;

/** The reference `text` names, or undefined when it is not a well-formed one. */
export function parseReference(text: string): ValueReference | undefined {
  const match = REFERENCE.exec(text);
  if (!match || !isAgentId(match[1]!) || !isCredentialKey(match[2]!)) return undefined;
  const [, agent, key, field] = match as unknown as [string, string, string, string | undefined];
  return { agent, key, ...(field === undefined ? {} : { field }) };
}

/** Like {@link parseReference}, but a malformed reference is a usage error; `where` says where it was. */
export function checkReference(text: string, where: string): ValueReference {
  const reference = parseReference(text);
  // Not quoted: a value pasted where a reference belongs must not end up in an error.
  if (!reference) throw new UsageError(`${where} is not a credential reference`, 'write av://<agent>/<KEY> or av://<agent>/<KEY>/<field> (an agent id, an UPPER_SNAKE_CASE key, a field name)');
  return reference;
}

/** The reference as it is written. */
export function formatReference(reference: ValueReference): string {
  return `${REFERENCE_SCHEME}${reference.agent}/${reference.key}${reference.field === undefined ? '' : `/${reference.field}`}`;
}

/** Whether the reference names a TOTP secret (which makes every future code). */
export function namesTotpSecret(reference: ValueReference): boolean {
  return reference.field?.replaceAll('-', '_') === 'totp';
}

/** One `{{ av://… }}` of a template: where it is and what it names. */
export interface TemplateReference {
  start: number;
  end: number;
  line: number;
  reference: ValueReference;
}

// `{{`, optional spaces, something that starts with av://, optional spaces, `}}`.
// Other `{{ … }}` (Go templates, Jinja, Helm) are left as they are.
const PLACEHOLDER = /\{\{[ \t]*(av:\/\/[^}\s]*)[ \t]*\}\}/g;

/**
 * Every reference in `template`, in order. A malformed one is a usage error naming
 * its line of `source`, so nothing is read before the whole template is known good.
 */
export function templateReferences(template: string, source: string): TemplateReference[] {
  const found: TemplateReference[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const line = template.slice(0, match.index).split('\n').length;
    const reference = checkReference(match[1]!, `the reference on line ${line} of ${source}`);
    found.push({ start: match.index, end: match.index + match[0].length, line, reference });
  }
  return found;
}

/** `template` with each of `references` (from {@link templateReferences}) replaced by its value, in the same order. */
export function renderTemplate(template: string, references: readonly TemplateReference[], values: readonly string[]): string {
  let out = '';
  let at = 0;
  references.forEach((ref, i) => {
    out += template.slice(at, ref.start) + values[i]!;
    at = ref.end;
  });
  return out + template.slice(at);
}
