/**
 * The credential types, each described once: its fields (the main one first), which of
 * them are secret, the walk-through's question for each, whether it takes URIs, how
 * `exec` names its variables, and a one-line description. `credential add`/`update`'s
 * field flags, the walk-through, `add`'s help, `exec`'s variables and the man page's
 * checks are derived from this table, so a new type is one entry here plus its man page
 * text. Pure.
 */

/** One field of a credential type. */
export interface FieldSpec {
  /** The snake_case name it is stored and shown under (`full_name`). */
  readonly name: string;
  /**
   * A secret is masked when asked for, given by `--F-stdin` or `--F-file` rather than
   * on the command line, and left out of `--json` unless secrets are shown.
   */
  readonly secret: boolean;
  /** The walk-through's question. */
  readonly label: string;
  /** The walk-through takes an empty answer as no value. */
  readonly optional: boolean;
  /** The walk-through offers a generated password before asking for this one. */
  readonly offerGenerated?: boolean;
  /** Often several lines: the walk-through offers the editor for it (`$VISUAL`/`$EDITOR`). */
  readonly multiline?: boolean;
}

/**
 * How `exec` names a credential's variables: `KEY`, one variable named by the key
 * holding the type's only field; or `KEY_FIELD`, `KEY_<FIELD>` for each field it has.
 */
export type EnvRule = 'KEY' | 'KEY_FIELD';

/** One credential type. */
export interface TypeSpec {
  /** As `--type` takes it and `--json` shows it. */
  readonly name: string;
  /** One line, lower case, for documentation. */
  readonly description: string;
  /** In order, the main one first: what `credential get` prints and `credential set` replaces. */
  readonly fields: readonly FieldSpec[];
  /** It has a list of URIs (`--uri`, the `uris` of `--json`). */
  readonly uris: boolean;
  readonly env: EnvRule;
}

/**
 * The field that holds a TOTP secret. It is stored as an otpauth:// URI, never exported
 * by `exec` (the seed makes every future code), hidden by `--json` unless revealed, and
 * may be given on the command line (`--totp`), since test keys are often public.
 */
export const TOTP_FIELD = 'totp';

const SPECS = [
  {
    name: 'login',
    description: 'an account on a website or service: password, TOTP secret, username and URIs',
    uris: true,
    env: 'KEY_FIELD',
    fields: [
      { name: 'password', secret: true, label: 'Password', optional: true, offerGenerated: true },
      { name: TOTP_FIELD, secret: true, label: 'TOTP secret or otpauth:// URI (optional)', optional: true },
      { name: 'username', secret: false, label: 'Username', optional: true },
    ],
  },
  {
    name: 'secure_note',
    description: 'a secret text',
    uris: false,
    env: 'KEY',
    fields: [{ name: 'notes', secret: true, label: 'Notes', optional: false, multiline: true }],
  },
  {
    name: 'card',
    description: 'a payment card: number, CVV, cardholder and expiry',
    uris: false,
    env: 'KEY_FIELD',
    fields: [
      { name: 'number', secret: true, label: 'Card number', optional: false },
      { name: 'cvv', secret: true, label: 'CVV (optional)', optional: true },
      { name: 'cardholder', secret: false, label: 'Cardholder (optional)', optional: true },
      { name: 'expiry', secret: false, label: 'Expiry, e.g. 12/29 (optional)', optional: true },
    ],
  },
  {
    name: 'identity',
    description: 'personal details: full name, email, phone and address',
    uris: false,
    env: 'KEY_FIELD',
    fields: [
      { name: 'full_name', secret: false, label: 'Full name (optional)', optional: true },
      { name: 'email', secret: false, label: 'Email (optional)', optional: true },
      { name: 'phone', secret: false, label: 'Phone (optional)', optional: true },
      { name: 'address', secret: false, label: 'Address (optional)', optional: true },
    ],
  },
  {
    name: 'api_key',
    description: 'an API key, token or other single secret value',
    uris: false,
    env: 'KEY',
    fields: [{ name: 'value', secret: true, label: 'Value', optional: false }],
  },
] as const satisfies readonly TypeSpec[];

export type CredentialType = (typeof SPECS)[number]['name'];

/** Every type, in the order `--type` and the walk-through offer them. */
export const CREDENTIAL_TYPE_SPECS: readonly TypeSpec[] = SPECS;

export const CREDENTIAL_TYPES: readonly CredentialType[] = SPECS.map((spec) => spec.name);

const BY_NAME = new Map<string, TypeSpec>(SPECS.map((spec) => [spec.name, spec]));

/** The entry of a type. */
export function typeSpec(type: CredentialType): TypeSpec {
  return BY_NAME.get(type)!;
}

/** A field's name for people: `full_name` gives `full name`. */
export function humanName(field: string): string {
  return field.replaceAll('_', ' ');
}

/** The flags that set one field in `credential add` and `credential update`. */
export interface FieldFlags {
  /** `--full-name <text>`: the value itself; a plain field's, and the TOTP secret's. */
  readonly value?: string;
  /** `--password-stdin`: a secret read from stdin. */
  readonly stdin?: string;
  /** `--password-file <path>`: a secret read from a file. */
  readonly file?: string;
}

/** A field's flags, kebab-case: secret `private_key` gives `--private-key-stdin` and `--private-key-file`. */
export function fieldFlags(field: Pick<FieldSpec, 'name' | 'secret'>): FieldFlags {
  const flag = `--${field.name.replaceAll('_', '-')}`;
  if (!field.secret) return { value: flag };
  return { ...(field.name === TOTP_FIELD ? { value: flag } : {}), stdin: `${flag}-stdin`, file: `${flag}-file` };
}

/** A field name the types use, once, with its flags. */
export interface FieldOption {
  readonly name: string;
  readonly secret: boolean;
  readonly flags: FieldFlags;
}

/**
 * Each field name of `types` once, plain fields first, then secret ones, each group in
 * table order: the order of the flags in `--help` and of the fields of a new credential.
 */
export function fieldOptions(types: readonly TypeSpec[] = CREDENTIAL_TYPE_SPECS): FieldOption[] {
  const seen = new Map<string, FieldOption>();
  for (const secret of [false, true]) {
    for (const field of types.flatMap((t) => t.fields)) {
      if (field.secret === secret && !seen.has(field.name)) seen.set(field.name, { name: field.name, secret, flags: fieldFlags(field) });
    }
  }
  return [...seen.values()];
}

/** The variables `exec` makes of a credential of this type, field by field in table order. */
export function envNames(spec: TypeSpec, key: string): Array<{ field: string; name: string }> {
  if (spec.env === 'KEY') return [{ field: spec.fields[0]!.name, name: key }];
  return spec.fields.filter((f) => f.name !== TOTP_FIELD).map((f) => ({ field: f.name, name: `${key}_${f.name.toUpperCase()}` }));
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const KEBAB_FLAG = /^--[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Throws if the table is inconsistent, or if a derived flag is not kebab-case, is shared
 * by two fields, or is one of `reservedFlags` (the program's global options and the
 * commands' other options). A field flag equal to a global one would be read as it: a
 * secret field `passphrase` would make `--passphrase-file` the owner passphrase's file.
 */
export function checkTypeRegistry(types: readonly TypeSpec[], reservedFlags: readonly string[] = []): void {
  const problems: string[] = [];
  const typeNames = new Set<string>();
  const secrecy = new Map<string, boolean>();
  for (const type of types) {
    if (!SNAKE_CASE.test(type.name)) problems.push(`type ${JSON.stringify(type.name)} is not snake_case`);
    if (typeNames.has(type.name)) problems.push(`type ${type.name} is listed twice`);
    typeNames.add(type.name);
    if (type.fields.length === 0) problems.push(`type ${type.name} has no field`);
    if (type.env === 'KEY' && type.fields.length !== 1) problems.push(`type ${type.name} gives one variable KEY, so it must have one field`);
    const fieldNames = new Set<string>();
    for (const field of type.fields) {
      if (!SNAKE_CASE.test(field.name)) problems.push(`field ${JSON.stringify(field.name)} of ${type.name} is not snake_case`);
      if (field.name === 'uris') problems.push(`field uris of ${type.name} would shadow the URIs`);
      if (fieldNames.has(field.name)) problems.push(`field ${field.name} of ${type.name} is listed twice`);
      fieldNames.add(field.name);
      if (secrecy.has(field.name) && secrecy.get(field.name) !== field.secret) problems.push(`field ${field.name} is secret in one type and not in another`);
      secrecy.set(field.name, field.secret);
      if (field.name === TOTP_FIELD && !field.secret) problems.push(`field ${TOTP_FIELD} of ${type.name} must be secret`);
      if (field.offerGenerated && !field.secret) problems.push(`field ${field.name} of ${type.name} offers a generated password but is not secret`);
      if (!field.optional && field.label.includes('(optional)')) problems.push(`field ${field.name} of ${type.name} is labelled optional but is not`);
    }
  }
  const reserved = new Set(reservedFlags);
  const owners = new Map<string, string>();
  for (const option of fieldOptions(types)) {
    for (const flag of Object.values(option.flags) as string[]) {
      if (!KEBAB_FLAG.test(flag)) problems.push(`flag ${flag} of field ${option.name} is not kebab-case`);
      if (reserved.has(flag)) problems.push(`flag ${flag} of field ${option.name} is already an option of the program`);
      const owner = owners.get(flag);
      if (owner !== undefined) problems.push(`flag ${flag} of field ${option.name} is also a flag of field ${owner}`);
      owners.set(flag, option.name);
    }
  }
  if (problems.length > 0) throw new Error(`credential types: ${problems.join('; ')}`);
}
