/**
 * The field options shared by `credential add` and `credential update`, and turning
 * them (plus stdin, files, prompts or `--json-stdin`) into a credential input.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { TYPE_SCHEMAS, checkField, type CredentialInput, type CredentialType } from '../core/credential.js';
import type { IO } from './io.js';
import { promptSecret, readSecretFromFile, readSecretFromStdin } from './secret-input.js';

/** Secret fields, each readable with `--F-stdin` or `--F-file PATH`. */
export const SECRET_FIELDS = ['password', 'totp', 'notes', 'number', 'cvv', 'value'] as const;

/** Plain fields, each set with `--F VALUE` (`--full-name` for `full_name`). */
export const PLAIN_FIELDS = ['username', 'cardholder', 'expiry', 'full_name', 'email', 'phone', 'address'] as const;

const flagOf = (field: string): string => field.replaceAll('_', '-');
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export type FieldOptions = Record<string, string | string[] | boolean | undefined> & {
  name?: string;
  tag?: string[];
  uri?: string[];
  totp?: string;
  jsonStdin?: boolean;
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addFieldOptions(command: Command): Command {
  command
    .option('--name <text>', 'display name')
    .option('--tag <tag>', 'a tag (repeatable; replaces the tags on update)', collect)
    .option('--uri <uri>', 'a login URI (repeatable; replaces the URIs on update)', collect);
  for (const field of PLAIN_FIELDS) command.option(`--${flagOf(field)} <text>`, `${field.replaceAll('_', ' ')}`);
  for (const field of SECRET_FIELDS) {
    command.addOption(new Option(`--${field}-stdin`, `read the ${field} from stdin`));
    command.addOption(new Option(`--${field}-file <path>`, `read the ${field} from a file`));
  }
  command.option('--totp <uri-or-base32>', 'TOTP secret: an otpauth:// URI or a base32 key (or --totp-stdin)');
  command.option('--json-stdin', 'read the whole credential as one JSON object from stdin');
  return command;
}

/** The JSON object `--json-stdin` accepts: the shape `credential get --json` prints. */
function parseJsonInput(text: string): { type?: string; input: CredentialInput } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it quotes the input, which holds secrets.
    throw new UsageError('--json-stdin: stdin is not valid JSON');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--json-stdin: expected one JSON object');
  const d = data as Record<string, unknown>;
  const strings = (value: unknown, what: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new UsageError(`--json-stdin: ${what} must be an array of strings`);
    return value as string[];
  };
  const fields: Record<string, string> = {};
  if (d.fields !== undefined) {
    if (!d.fields || typeof d.fields !== 'object' || Array.isArray(d.fields)) throw new UsageError('--json-stdin: fields must be an object');
    for (const [name, value] of Object.entries(d.fields)) {
      if (typeof value !== 'string') throw new UsageError(`--json-stdin: field ${JSON.stringify(name)} must be a string`);
      fields[name] = value;
    }
  }
  if (d.type !== undefined && typeof d.type !== 'string') throw new UsageError('--json-stdin: type must be a string');
  if (d.name !== undefined && typeof d.name !== 'string') throw new UsageError('--json-stdin: name must be a string');
  const tags = strings(d.tags, 'tags');
  const uris = strings(d.uris, 'uris');
  return {
    ...(typeof d.type === 'string' ? { type: d.type } : {}),
    input: { ...(typeof d.name === 'string' ? { name: d.name } : {}), ...(tags ? { tags } : {}), ...(uris ? { uris } : {}), fields },
  };
}

/** True when any field option, stdin or file source was given: then nothing is asked. */
export function hasFieldInput(options: FieldOptions): boolean {
  const names = ['name', 'tag', 'uri', 'totp', 'jsonStdin', ...PLAIN_FIELDS.map((f) => camel(flagOf(f))), ...SECRET_FIELDS.flatMap((f) => [`${f}Stdin`, `${f}File`])];
  return names.some((n) => options[n] !== undefined);
}

/**
 * Gathers a credential input from the options. With `promptForMain`, a missing main
 * secret is asked for on a TTY; off a TTY it is a usage error naming the flag.
 */
export async function collectInput(
  io: IO,
  options: FieldOptions,
  type: CredentialType | undefined,
  { promptForMain }: { promptForMain: boolean },
): Promise<{ type?: string; input: CredentialInput }> {
  if (options.jsonStdin) {
    const given = [...PLAIN_FIELDS, 'name', 'tag', 'uri', 'totp'].filter((f) => options[camel(flagOf(f))] !== undefined);
    if (given.length > 0) throw new UsageError('--json-stdin cannot be combined with field options');
    const parsed = parseJsonInput(await readSecretFromStdin(io, 'the credential JSON'));
    return parsed;
  }
  const fields: Record<string, string> = {};
  for (const field of PLAIN_FIELDS) {
    const value = options[camel(flagOf(field))];
    if (typeof value === 'string') fields[field] = value;
  }
  for (const field of SECRET_FIELDS) {
    const fromStdin = options[`${field}Stdin`] === true;
    const file = options[`${field}File`];
    const sources = [fromStdin, typeof file === 'string', field === 'totp' && options.totp !== undefined].filter(Boolean).length;
    if (sources > 1) throw new UsageError(`give the ${field} one way only`);
    if (fromStdin) fields[field] = await readSecretFromStdin(io, `the ${field}`);
    else if (typeof file === 'string') fields[field] = readSecretFromFile(file, field);
    else if (field === 'totp' && options.totp !== undefined) fields[field] = options.totp;
  }
  // Checked here too (core checks again on write), so a wrong field fails before anything is asked for.
  if (type) for (const name of Object.keys(fields)) checkField(type, name);
  if (type && promptForMain) {
    const main = TYPE_SCHEMAS[type].main;
    const secret = TYPE_SCHEMAS[type].secrets.includes(main);
    if (secret && fields[main] === undefined) {
      const required = type === 'api_key' || type === 'secure_note';
      if (io.canPrompt()) fields[main] = await promptSecret(io, `${main[0]!.toUpperCase()}${main.slice(1)}`, `--${main}-stdin or --${main}-file`);
      else if (required) throw new UsageError(`the ${main} is needed and there is no terminal to ask on`, `pass --${main}-stdin or --${main}-file PATH`);
    }
  }
  return {
    input: {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.tag !== undefined ? { tags: options.tag } : {}),
      ...(options.uri !== undefined ? { uris: options.uri } : {}),
      fields,
    },
  };
}
