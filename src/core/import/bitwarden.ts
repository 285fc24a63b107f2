/**
 * Bitwarden's unencrypted JSON export (Tools → Export vault → .json): `folders`, an
 * organisation's `collections`, and `items`, each of `type` 1 (login: username,
 * password, TOTP, URIs), 2 (secure note), 3 (card), 4 (identity) or 5 (SSH key), with
 * `notes` and custom `fields`. Folders and collections become tags. Password history
 * and passkeys are not imported. An encrypted export cannot be read without Bitwarden.
 */
import { itemEntry, malformed, notesText, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the typed parts of one item, failing with the item's number and the property's path. */
class ItemReader {
  constructor(readonly where: string) {}

  fail(path: string, problem: string): never {
    throw malformed('bitwarden-json', this.where, `${path} ${problem}`);
  }

  text(from: Json, name: string, path = name): string {
    const value = from[name];
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    return this.fail(path, 'is not text');
  }

  object(from: Json, name: string): Json {
    const value = from[name];
    if (value === undefined || value === null) return {};
    return isObject(value) ? value : this.fail(name, 'is not an object');
  }

  list(from: Json, name: string, path = name): unknown[] {
    const value = from[name];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : this.fail(path, 'is not a list');
  }
}

/** Custom fields as label and value: booleans as `true`/`false`, linked fields (which hold no value) left out. */
function customFields(reader: ItemReader, item: Json): Array<[string, string]> {
  return reader.list(item, 'fields').flatMap((field, i): Array<[string, string]> => {
    if (!isObject(field)) return reader.fail(`fields[${i}]`, 'is not an object');
    if (field.type === 3) return [];
    const value = reader.text(field, 'value', `fields[${i}].value`);
    return [[reader.text(field, 'name', `fields[${i}].name`) || `field ${i + 1}`, value]];
  });
}

/** `10` and `2029` give `10/29`, Bitwarden's parts as one `MM/YY` expiry. */
function expiry(month: string, year: string): string {
  if (month === '' && year === '') return '';
  return `${month.padStart(2, '0')}/${year.length === 4 ? year.slice(2) : year}`;
}

function bitwardenEntry(reader: ItemReader, item: Json, tags: string[], warnings: ImportWarning[]): ImportEntry | undefined {
  const name = reader.text(item, 'name');
  const notes = reader.text(item, 'notes');
  const extras = customFields(reader, item);
  const base = { source: reader.where, name, tags, uris: [] };
  const present = (fields: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
  const companion = (more: Array<[string, string]> = []): { notes?: string } => {
    const text = notesText(notes, [...more, ...extras]);
    return text === undefined ? {} : { notes: text };
  };
  switch (item.type) {
    case 1: {
      const login = reader.object(item, 'login');
      const uris = reader.list(login, 'uris', 'login.uris').map((uri, i) => (isObject(uri) ? reader.text(uri, 'uri', `login.uris[${i}].uri`) : reader.fail(`login.uris[${i}]`, 'is not an object')));
      if (reader.list(login, 'fido2Credentials', 'login.fido2Credentials').length > 0) warnings.push({ source: reader.where, message: 'its passkey cannot be imported' });
      return itemEntry(
        { source: reader.where, title: name, username: reader.text(login, 'username', 'login.username'), password: reader.text(login, 'password', 'login.password'), totp: reader.text(login, 'totp', 'login.totp'), uris, notes, extras, tags },
        warnings,
      );
    }
    case 2:
      return itemEntry({ source: reader.where, title: name, notes, extras, tags }, warnings);
    case 3: {
      const card = reader.object(item, 'card');
      const at = (field: string): string => reader.text(card, field, `card.${field}`);
      return { ...base, type: 'card', fields: present({ number: at('number'), cvv: at('code'), cardholder: at('cardholderName'), expiry: expiry(at('expMonth'), at('expYear')) }), ...companion([['brand', at('brand')]]) };
    }
    case 4: {
      const identity = reader.object(item, 'identity');
      const at = (field: string): string => reader.text(identity, field, `identity.${field}`);
      const fullName = [at('firstName'), at('middleName'), at('lastName')].filter((part) => part !== '').join(' ');
      const cityLine = [at('postalCode'), at('city')].filter((part) => part !== '').join(' ');
      const address = [at('address1'), at('address2'), at('address3'), cityLine, at('state'), at('country')].filter((part) => part !== '').join('\n');
      const more: Array<[string, string]> = [['title', at('title')], ['company', at('company')], ['username', at('username')], ['ssn', at('ssn')], ['passport number', at('passportNumber')], ['license number', at('licenseNumber')]];
      return { ...base, type: 'identity', fields: present({ full_name: fullName, email: at('email'), phone: at('phone'), address }), ...companion(more) };
    }
    case 5: {
      const key = reader.object(item, 'sshKey');
      const at = (field: string): string => reader.text(key, field, `sshKey.${field}`);
      if (at('privateKey') === '') return reader.fail('sshKey.privateKey', 'is missing');
      return { ...base, type: 'api_key', fields: { value: at('privateKey') }, ...companion([['public key', at('publicKey')], ['fingerprint', at('keyFingerprint')]]) };
    }
    default:
      warnings.push({ source: reader.where, message: `its item type ${JSON.stringify(item.type)} is not one agent-vault knows: left out` });
      return undefined;
  }
}

/** Names by id, of `folders` or `collections`. */
function namesById(document: Json, property: 'folders' | 'collections'): Map<string, string> {
  const list = document[property];
  if (list === undefined || list === null) return new Map();
  if (!Array.isArray(list)) throw malformed('bitwarden-json', property, 'is not a list');
  return new Map(list.map((item, i) => {
    if (!isObject(item) || typeof item.id !== 'string' || typeof item.name !== 'string') throw malformed('bitwarden-json', `${property}[${i}]`, 'has no id and name');
    return [item.id, item.name];
  }));
}

export function parseBitwardenJson(text: string): ParsedImport {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw malformed('bitwarden-json', 'the file', 'is not JSON', 'export from Bitwarden as .json (not encrypted)');
  }
  if (!isObject(document)) throw malformed('bitwarden-json', 'the file', 'is not a Bitwarden export object');
  if (document.encrypted === true) {
    throw malformed('bitwarden-json', 'the file', 'is an encrypted export, which only Bitwarden can read', 'export again from Bitwarden choosing the .json format, not .json (Encrypted)');
  }
  if (!Array.isArray(document.items)) throw malformed('bitwarden-json', 'the file', 'has no list of items');
  const folders = namesById(document, 'folders');
  const collections = namesById(document, 'collections');
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  document.items.forEach((item, i) => {
    const number = `entry ${i + 1}`;
    if (!isObject(item)) throw malformed('bitwarden-json', number, 'is not an object');
    const reader = new ItemReader(typeof item.name === 'string' && item.name !== '' ? `${number} (${item.name})` : number);
    const folder = typeof item.folderId === 'string' ? folders.get(item.folderId) : undefined;
    const inCollections = reader.list(item, 'collectionIds').flatMap((id) => (typeof id === 'string' && collections.has(id) ? [collections.get(id)!] : []));
    const entry = bitwardenEntry(reader, item, [...(folder === undefined ? [] : [folder]), ...inCollections], warnings);
    if (entry) entries.push(entry);
  });
  return { entries, warnings };
}
