/**
 * Credentials and their fields, by the types of `credential-types.ts`. Every type has
 * one main field: what `credential get` prints and what `credential set KEY=VALUE` replaces.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, UsageError } from './errors.js';
import { checkCredentialKey } from './ids.js';
import { normaliseTotpSecret } from './totp.js';
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_SPECS, TOTP_FIELD, humanName, typeSpec, type CredentialType } from './credential-types.js';
import type { CredentialPolicy, GeneratorSettings } from './policy.js';

export { CREDENTIAL_TYPES, type CredentialType } from './credential-types.js';

/** A stored credential, as it lives in the decrypted payload. */
export interface Credential {
  /** A random 16-hex-digit id that stays the same when the key is renamed. */
  id: string;
  key: string;
  type: CredentialType;
  name: string;
  tags: string[];
  /** Login URIs; empty for a type without URIs. */
  uris: string[];
  /** Field values by field name (`password`, `username`, `number`, …). */
  fields: Record<string, string>;
  created: string;
  updated: string;
  /** `brokered`: an agent's token uses it only through the broker (absent: any way). */
  revealPolicy?: RevealPolicy;
  /** Rotation and expiry (`--rotate-every`, `--expires`) and remembered generator options; absent for none. */
  policy?: CredentialPolicy;
}

/** A policy change: a part set to `null` is removed, one left out kept. */
export interface PolicyInput {
  rotateEvery?: string | null;
  expires?: string | null;
  generator?: GeneratorSettings;
}

/** Who may see a credential's value: anyone who may read it, or (brokered) agents only through the broker. */
export const REVEAL_POLICIES = ['any', 'brokered'] as const;
export type RevealPolicy = Exclude<(typeof REVEAL_POLICIES)[number], 'any'>;

/** What a caller may supply when creating or changing a credential. */
export interface CredentialInput {
  name?: string;
  tags?: string[];
  uris?: string[];
  fields?: Record<string, string>;
  revealPolicy?: (typeof REVEAL_POLICIES)[number];
  policy?: PolicyInput;
}

export function isCredentialType(text: string): text is CredentialType {
  return (CREDENTIAL_TYPES as readonly string[]).includes(text);
}

export function checkCredentialType(text: string): CredentialType {
  if (!isCredentialType(text)) {
    throw new UsageError(`unknown credential type ${JSON.stringify(text)}`, `use one of ${CREDENTIAL_TYPES.join(', ')}`);
  }
  return text;
}

/** All field names of a type, the main one first. */
export function fieldsOf(type: CredentialType): string[] {
  return typeSpec(type).fields.map((f) => f.name);
}

export function isSecretField(type: CredentialType, field: string): boolean {
  return typeSpec(type).fields.some((f) => f.name === field && f.secret);
}

/** Accepts `full-name` and `full_name` alike, and checks the type has the field (or `uris`, if it takes URIs). */
export function checkField(type: CredentialType, field: string): string {
  const name = field.replaceAll('-', '_');
  const uris = typeSpec(type).uris ? ['uris'] : [];
  if (![...fieldsOf(type), ...uris].includes(name)) {
    throw new UsageError(`a ${type} has no field ${JSON.stringify(field)}`, `its fields are ${[...fieldsOf(type), ...uris].join(', ')}`);
  }
  return name;
}

/** A new random credential id (16 hex digits). */
export function newId(): string {
  return randomBytes(8).toString('hex');
}

function applyInput(credential: Credential, input: CredentialInput): void {
  if (input.name !== undefined) credential.name = input.name;
  if (input.tags !== undefined) credential.tags = [...new Set(input.tags)];
  if (input.uris !== undefined) {
    if (!typeSpec(credential.type).uris && input.uris.length > 0) {
      throw new UsageError(`a ${credential.type} has no URIs`, `only ${CREDENTIAL_TYPE_SPECS.filter((t) => t.uris).map((t) => `${t.name}s`).join(' and ')} take --uri`);
    }
    credential.uris = [...input.uris];
  }
  if (input.revealPolicy === 'brokered') credential.revealPolicy = 'brokered';
  else if (input.revealPolicy === 'any') delete credential.revealPolicy;
  for (const [field, value] of Object.entries(input.fields ?? {})) {
    const name = checkField(credential.type, field);
    if (value === '') delete credential.fields[name];
    // A TOTP secret is checked and stored as one canonical otpauth:// URI, whichever
    // way it came in (CLI flag, --json-stdin, or the programmatic API).
    else credential.fields[name] = name === TOTP_FIELD ? normaliseTotpSecret(value) : value;
  }
  if (input.policy !== undefined) applyPolicy(credential, input.policy);
}

function applyPolicy(credential: Credential, change: PolicyInput): void {
  const policy: CredentialPolicy = { ...credential.policy };
  for (const part of ['rotateEvery', 'expires'] as const) {
    const value = change[part];
    if (value === null) delete policy[part];
    else if (value !== undefined) policy[part] = value;
  }
  if (change.generator !== undefined) policy.generator = change.generator;
  if (Object.keys(policy).length > 0) credential.policy = policy;
  else delete credential.policy;
}

/** A new credential of `type`; the caller stores it. */
export function createCredential(key: string, type: CredentialType, input: CredentialInput, now: string): Credential {
  const credential: Credential = {
    id: newId(),
    key: checkCredentialKey(key),
    type,
    name: '',
    tags: [],
    uris: [],
    fields: {},
    created: now,
    updated: now,
  };
  applyInput(credential, input);
  return credential;
}

/** Changes fields in place, keeping the id and creation time. */
export function updateCredential(credential: Credential, input: CredentialInput, now: string): void {
  applyInput(credential, input);
  credential.updated = now;
}

/** The main secret's field name for this credential's type. */
export function mainField(credential: Credential): string {
  return typeSpec(credential.type).fields[0]!.name;
}

/** Reads one field, or the main secret; a missing field is a not-found error. */
export function readField(credential: Credential, field?: string): string {
  const name = field === undefined ? mainField(credential) : checkField(credential.type, field);
  if (name === 'uris') return credential.uris.join('\n');
  const value = credential.fields[name];
  if (value === undefined) throw new NotFoundError(`credential ${credential.key} has no ${humanName(name)}`);
  return value;
}

/**
 * The credential as `--json` shows it. The TOTP secret is left out unless `revealTotp`:
 * a code generator must not hand out the seed that makes every future code.
 */
export function toPublicJson(credential: Credential, options: { secrets: boolean; revealTotp: boolean }): Record<string, unknown> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(credential.fields)) {
    const secret = isSecretField(credential.type, name);
    if (name === TOTP_FIELD ? options.revealTotp : !secret || options.secrets) fields[name] = value;
  }
  return {
    id: credential.id,
    key: credential.key,
    type: credential.type,
    name: credential.name,
    tags: credential.tags,
    ...(typeSpec(credential.type).uris ? { uris: credential.uris } : {}),
    fields,
    created: credential.created,
    updated: credential.updated,
    ...(credential.revealPolicy ? { reveal_policy: credential.revealPolicy } : {}),
    ...(credential.policy?.rotateEvery === undefined ? {} : { rotate_every: credential.policy.rotateEvery }),
    ...(credential.policy?.expires === undefined ? {} : { expires: credential.policy.expires }),
  };
}

/**
 * A credential without its secret values, as the vault's listing keeps it (man 5 VAULT
 * FILE): `fields` holds only the fields that are not secret, and `secretFields` names
 * the secret ones that have a value, so a list can mask a value it does not hold.
 */
export type CredentialSummary = Credential & { secretFields: string[] };

/** The summary of a credential: its secret values left out, their names kept. */
export function summarize(credential: Credential): CredentialSummary {
  const fields: Record<string, string> = {};
  const secretFields: string[] = [];
  for (const [name, value] of Object.entries(credential.fields)) {
    if (isSecretField(credential.type, name)) secretFields.push(name);
    else fields[name] = value;
  }
  return { ...credential, fields, secretFields };
}

/**
 * Whether `field` has a value, in a whole credential or in a summary (whose secret
 * fields are only named in `secretFields`): what a list masks, and the MCP tools'
 * `has_totp`.
 */
export function hasValue(credential: Pick<Credential, 'fields'> & { secretFields?: readonly string[] }, field: string): boolean {
  return credential.fields[field] !== undefined || credential.secretFields?.includes(field) === true;
}

/** The text searched by `credential search`: never a secret value. */
export function searchableText(credential: Credential): string {
  return [credential.key, credential.name, credential.fields.username ?? '', ...credential.uris, ...credential.tags].join('\n').toLowerCase();
}
