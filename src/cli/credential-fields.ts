/**
 * The field options shared by `credential add` and `credential update`, and turning
 * them (plus stdin, files, prompts or `--json-stdin`) into a credential input.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { checkField, type CredentialInput, type CredentialType } from '../core/credential.js';
import { TOTP_FIELD, fieldFlags, fieldOptions, humanName, typeSpec } from '../core/credential-types.js';
import type { IO } from './io.js';
import { decodeText, promptSecret, readSecretFromFile, readSecretFromStdin, refuseEmpty } from './secret-input.js';

/** The options object's property for a flag, as commander names it: `--full-name` gives `fullName`. */
const attribute = (flag: string): string => new Option(flag).attributeName();

/** Each field's flags and their properties on the options object, in `--help` order. */
const FIELD_OPTIONS = fieldOptions().map((option) => ({
  ...option,
  value: option.flags.value === undefined ? undefined : attribute(option.flags.value),
  stdin: option.flags.stdin === undefined ? undefined : attribute(option.flags.stdin),
  file: option.flags.file === undefined ? undefined : attribute(option.flags.file),
}));

/** Secret fields, each readable with `--F-stdin` or `--F-file PATH`. */
export const SECRET_FIELDS: readonly string[] = FIELD_OPTIONS.filter((f) => f.secret).map((f) => f.name);

export type FieldOptions = Record<string, string | string[] | boolean | undefined> & {
  name?: string;
  tag?: string[];
  uri?: string[];
  totp?: string;
  jsonStdin?: boolean;
  allowEmpty?: boolean;
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** What a value flag takes: a plain field's text, or the TOTP secret. */
function valueOption(field: string, flag: string): Option {
  return field === TOTP_FIELD
    ? new Option(`${flag} <uri-or-base32>`, 'TOTP secret (an otpauth:// URI or a base32 key) on the command line, where other processes see it: prefer --totp-stdin or --totp-file')
    : new Option(`${flag} <text>`, humanName(field));
}

/** Adds `--name`, `--tag`, `--uri`, every field's flags and `--json-stdin`. */
export function addFieldOptions(command: Command): Command {
  command
    .option('--name <text>', 'display name')
    .option('--tag <tag>', 'a tag (repeatable; replaces the tags on update)', collect)
    .option('--uri <uri>', 'a login URI (repeatable; replaces the URIs on update)', collect);
  for (const { name, flags } of FIELD_OPTIONS) if (flags.value !== undefined && flags.stdin === undefined) command.addOption(valueOption(name, flags.value));
  for (const { name, flags } of FIELD_OPTIONS) {
    if (flags.stdin !== undefined) command.addOption(new Option(flags.stdin, `read the ${humanName(name)} from stdin`));
    if (flags.file !== undefined) command.addOption(new Option(`${flags.file} <path>`, `read the ${humanName(name)} from a file`));
  }
  // A secret that may also be given as a value (the TOTP secret) is listed after the secrets' own flags.
  for (const { name, flags } of FIELD_OPTIONS) if (flags.value !== undefined && flags.stdin !== undefined) command.addOption(valueOption(name, flags.value));
  command.option('--json-stdin', 'read the whole credential as one JSON object from stdin');
  command.option('--allow-empty', 'accept an empty secret from stdin, a file or the prompt (refused otherwise; on update an empty value removes the field)');
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
  const names = ['name', 'tag', 'uri', 'jsonStdin', ...FIELD_OPTIONS.flatMap((f) => [f.value, f.stdin, f.file])];
  return names.some((n) => n !== undefined && options[n] !== undefined);
}

/**
 * Gathers a credential input from the options. With `promptForMain`, a missing main
 * secret is asked for on a TTY; off a TTY it is a usage error naming the flag when it
 * is the type's only field (a credential without it would be empty).
 */
export async function collectInput(
  io: IO,
  options: FieldOptions,
  type: CredentialType | undefined,
  { promptForMain }: { promptForMain: boolean },
): Promise<{ type?: string; input: CredentialInput }> {
  if (options.jsonStdin) {
    const given = ['name', 'tag', 'uri', ...FIELD_OPTIONS.map((f) => f.value)].filter((n) => n !== undefined && options[n] !== undefined);
    if (given.length > 0) throw new UsageError('--json-stdin cannot be combined with field options');
    // Read as it is, even from a terminal: a JSON document is not typed at a masked prompt.
    const parsed = parseJsonInput(decodeText(await io.readStdin('the credential JSON'), 'the credential JSON on stdin'));
    return parsed;
  }
  const fields: Record<string, string> = {};
  for (const { name, value, stdin, file } of FIELD_OPTIONS) {
    const given = value === undefined ? undefined : options[value];
    const fromStdin = stdin !== undefined && options[stdin] === true;
    const path = file === undefined ? undefined : options[file];
    const sources = [typeof given === 'string', fromStdin, typeof path === 'string'].filter(Boolean).length;
    if (sources > 1) throw new UsageError(`give the ${humanName(name)} one way only`);
    if (fromStdin) fields[name] = refuseEmpty(await readSecretFromStdin(io, `the ${humanName(name)}`), `the ${humanName(name)} on stdin`, options.allowEmpty);
    else if (typeof path === 'string') fields[name] = refuseEmpty(readSecretFromFile(path, humanName(name)), `the ${humanName(name)} file ${path}`, options.allowEmpty);
    else if (typeof given === 'string') fields[name] = given;
  }
  // Checked here too (core checks again on write), so a wrong field fails before anything is asked for.
  if (type) for (const name of Object.keys(fields)) checkField(type, name);
  if (type && promptForMain) {
    const spec = typeSpec(type);
    const main = spec.fields[0]!;
    if (main.secret && fields[main.name] === undefined) {
      const { stdin, file } = fieldFlags(main);
      const label = humanName(main.name);
      if (io.canPrompt()) fields[main.name] = refuseEmpty(await promptSecret(io, `${label[0]!.toUpperCase()}${label.slice(1)}`, `${stdin} or ${file}`), `the ${label}`, options.allowEmpty);
      else if (spec.fields.length === 1) throw new UsageError(`the ${label} is needed and there is no terminal to ask on`, `pass ${stdin} or ${file} PATH`);
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
