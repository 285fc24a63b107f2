/**
 * agent-vault's own export, `export --format json`: every credential of one vault with
 * every field, TOTP secret included, its name, tags, URIs and times. `import json`
 * reads it back so that a second export is the same document (but for the agent and
 * the export time). Credential ids are not exported: they belong to one vault.
 */
import { CREDENTIAL_TYPES, type Credential } from '../credential.js';
import { typeSpec } from '../credential-types.js';
import { isCredentialKey } from '../ids.js';
import { malformed, type ImportEntry, type ParsedImport } from './entry.js';

export const EXPORT_FORMAT = 'agent-vault-export';
export const EXPORT_VERSION = 1;

/** One credential as the export holds it. */
export interface ExportedCredential {
  key: string;
  type: string;
  name: string;
  tags: string[];
  uris?: string[];
  fields: Record<string, string>;
  created: string;
  updated: string;
}

/** The export document. */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  agent: string;
  exported: string;
  credentials: ExportedCredential[];
}

export function encodeJsonExport(agent: string, credentials: readonly Credential[], now: string): string {
  const document: ExportDocument = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    agent,
    exported: now,
    credentials: credentials.map((c) => ({
      key: c.key,
      type: c.type,
      name: c.name,
      tags: c.tags,
      ...(typeSpec(c.type).uris ? { uris: c.uris } : {}),
      fields: c.fields,
      created: c.created,
      updated: c.updated,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const KNOWN = new Set(['key', 'type', 'name', 'tags', 'uris', 'fields', 'created', 'updated']);

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Reads an export strictly: a property of the wrong type, unknown, or a key given twice names its credential. */
export function parseJsonExport(text: string): ParsedImport {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw malformed('json', 'the file', 'is not JSON', 'give the output of agent-vault export --format json');
  }
  const doc = document as Partial<ExportDocument> | null;
  if (!doc || typeof doc !== 'object' || doc.format !== EXPORT_FORMAT) throw malformed('json', 'the file', 'is not an agent-vault export', 'give the output of agent-vault export --format json');
  if (doc.version !== EXPORT_VERSION) throw malformed('json', 'the file', `is export version ${JSON.stringify(doc.version)}, this agent-vault reads version ${EXPORT_VERSION}`, 'export it again with this version');
  if (!Array.isArray(doc.credentials)) throw malformed('json', 'the file', 'has no list of credentials');
  const keys = new Set<string>();
  const entries = doc.credentials.map((item: unknown, i): ImportEntry => {
    const c = item as Partial<ExportedCredential> | null;
    const where = `entry ${i + 1}${c && typeof c === 'object' && typeof c.key === 'string' && isCredentialKey(c.key) ? ` (${c.key})` : ''}`;
    const fail = (problem: string): never => {
      throw malformed('json', where, problem);
    };
    if (!c || typeof c !== 'object' || Array.isArray(c)) return fail('is not an object');
    const unknown = Object.keys(c).filter((name) => !KNOWN.has(name));
    if (unknown.length > 0) fail(`has unknown properties ${unknown.join(', ')}`);
    if (typeof c.key !== 'string' || !isCredentialKey(c.key)) fail('has no valid key');
    if (keys.has(c.key!)) fail(`repeats the key ${c.key}`);
    keys.add(c.key!);
    if (typeof c.type !== 'string' || !(CREDENTIAL_TYPES as readonly string[]).includes(c.type)) fail('has an unknown type');
    if (typeof c.name !== 'string') fail('has no name');
    if (!isStringList(c.tags)) fail('has tags that are not a list of text');
    if (c.uris !== undefined && !isStringList(c.uris)) fail('has URIs that are not a list of text');
    const fields = c.fields as unknown;
    if (!fields || typeof fields !== 'object' || Array.isArray(fields) || !Object.values(fields).every((v) => typeof v === 'string')) fail('has fields that are not text');
    for (const time of ['created', 'updated'] as const) if (typeof c[time] !== 'string' || !ISO_TIME.test(c[time])) fail(`has no valid ${time} time`);
    return {
      source: where,
      name: c.name!,
      key: c.key!,
      type: c.type as Credential['type'],
      fields: { ...(fields as Record<string, string>) },
      uris: c.uris ?? [],
      tags: c.tags!,
      created: c.created!,
      updated: c.updated!,
    };
  });
  return { entries, warnings: [] };
}
