/**
 * Authenticator exports: one `otpauth://` key URI a line (as Aegis, 2FAS, andOTP and
 * `pass otp` keep them), and Google Authenticator's "Transfer accounts" QR codes,
 * `otpauth-migration://offline?data=…`, whose base64 payload is a protobuf
 * `MigrationPayload` (repeated `OtpParameters`: secret bytes, name, issuer, algorithm,
 * digit count, type, counter). Each account becomes a login holding its TOTP secret,
 * titled by its issuer, its account name as username. Blank lines and `#` comments are
 * skipped.
 */
import { UsageError } from '../errors.js';
import { encodeBase32 } from '../totp.js';
import { itemEntry, malformed, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

/** One decoded protobuf field: a varint, or bytes (length-delimited); fixed-width ones are skipped. */
type ProtoField = { number: number; varint: bigint } | { number: number; bytes: Uint8Array };

class ProtoError extends Error {}

/** The fields of one protobuf message, in order. Throws on a truncated or ill-formed message. */
export function decodeProtobuf(bytes: Uint8Array): ProtoField[] {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) throw new ProtoError('truncated varint');
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new ProtoError('varint too long');
  };
  const skip = (length: number): void => {
    if (at + length > bytes.length) throw new ProtoError('truncated field');
    at += length;
  };
  const fields: ProtoField[] = [];
  while (at < bytes.length) {
    const tag = varint();
    const number = Number(tag >> 3n);
    if (number === 0) throw new ProtoError('field number 0');
    switch (Number(tag & 7n)) {
      case 0:
        fields.push({ number, varint: varint() });
        break;
      case 1:
        skip(8);
        break;
      case 2: {
        const length = varint();
        if (length > BigInt(bytes.length - at)) throw new ProtoError('truncated field');
        fields.push({ number, bytes: bytes.subarray(at, at + Number(length)) });
        at += Number(length);
        break;
      }
      case 5:
        skip(4);
        break;
      default:
        throw new ProtoError('unsupported wire type');
    }
  }
  return fields;
}

/** One account of a migration payload. */
export interface MigrationAccount {
  secret: Uint8Array;
  name: string;
  issuer: string;
  /** 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5; 0 unspecified (SHA1). */
  algorithm: number;
  /** 1 six, 2 eight; 0 unspecified (six). */
  digits: number;
  /** 1 HOTP, 2 TOTP; 0 unspecified (TOTP). */
  type: number;
  counter: bigint;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bytesOf(field: ProtoField): Uint8Array {
  if (!('bytes' in field)) throw new ProtoError(`field ${field.number} is not length-delimited`);
  return field.bytes;
}

function numberOf(field: ProtoField): bigint {
  if (!('varint' in field)) throw new ProtoError(`field ${field.number} is not a varint`);
  return field.varint;
}

/** The accounts of a `MigrationPayload` message. */
export function decodeMigrationPayload(bytes: Uint8Array): MigrationAccount[] {
  return decodeProtobuf(bytes)
    .filter((field) => field.number === 1)
    .map((field) => {
      const account: MigrationAccount = { secret: new Uint8Array(), name: '', issuer: '', algorithm: 0, digits: 0, type: 0, counter: 0n };
      for (const part of decodeProtobuf(bytesOf(field))) {
        if (part.number === 1) account.secret = Uint8Array.from(bytesOf(part));
        else if (part.number === 2) account.name = utf8.decode(bytesOf(part));
        else if (part.number === 3) account.issuer = utf8.decode(bytesOf(part));
        else if (part.number === 4) account.algorithm = Number(numberOf(part));
        else if (part.number === 5) account.digits = Number(numberOf(part));
        else if (part.number === 6) account.type = Number(numberOf(part));
        else if (part.number === 7) account.counter = numberOf(part);
      }
      return account;
    });
}

const ALGORITHMS: Record<number, string> = { 0: 'SHA1', 1: 'SHA1', 2: 'SHA256', 3: 'SHA512', 4: 'MD5' };

/** The key URI of a migrated account: `otpauth://totp/…`, or `otpauth://hotp/…&counter=N`. */
export function migrationUri(account: MigrationAccount): string {
  const hotp = account.type === 1;
  const label = account.issuer !== '' && !account.name.startsWith(`${account.issuer}:`) ? `${account.issuer}:${account.name}` : account.name;
  const query = new URLSearchParams({ secret: encodeBase32(account.secret), algorithm: ALGORITHMS[account.algorithm] ?? 'SHA1', digits: account.digits === 2 ? '8' : '6' });
  if (hotp) query.set('counter', account.counter.toString());
  else query.set('period', '30');
  if (account.issuer !== '') query.set('issuer', account.issuer);
  return `otpauth://${hotp ? 'hotp' : 'totp'}/${encodeURIComponent(label)}?${query.toString()}`;
}

/** Issuer and account name of a key URI: the `issuer` parameter, else the label's part before `:`. */
export function uriNames(uri: string): { issuer: string; account: string } {
  const url = new URL(uri);
  const path = uri.slice(uri.indexOf('//') + 2).split(/[?#]/, 1)[0]!;
  const rawLabel = path.includes('/') ? path.slice(path.indexOf('/') + 1) : '';
  let label: string;
  try {
    label = decodeURIComponent(rawLabel);
  } catch {
    throw new UsageError('the URI label is not valid percent-encoding');
  }
  const colon = label.indexOf(':');
  const prefix = colon < 0 ? '' : label.slice(0, colon).trim();
  const account = colon < 0 ? label.trim() : label.slice(colon + 1).trim();
  return { issuer: url.searchParams.get('issuer') ?? prefix, account };
}

/** The payload of an `otpauth-migration://offline?data=…` URI. `+` in the data is a plus, as Google writes it, not a space. */
function migrationData(line: string): Uint8Array {
  const match = /^otpauth-migration:\/\/offline\?(?:.*&)?data=([^&#]*)/i.exec(line);
  if (!match) throw new ProtoError('no data parameter');
  let data: string;
  try {
    data = decodeURIComponent(match[1]!);
  } catch {
    throw new ProtoError('bad percent-encoding');
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) throw new ProtoError('data is not base64');
  return Buffer.from(data.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}

function accountEntry(source: string, uri: string, warnings: ImportWarning[]): ImportEntry | undefined {
  let names: { issuer: string; account: string };
  try {
    names = uriNames(uri);
  } catch (err) {
    throw malformed('otpauth', source, err instanceof UsageError ? err.message : 'is not a valid otpauth:// URI');
  }
  return itemEntry({ source, title: names.issuer || names.account, username: names.account, totp: uri, tags: [] }, warnings);
}

export function parseOtpauth(text: string): ParsedImport {
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `line ${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    if (/^otpauth:\/\//i.test(line)) {
      // A login needs a username or a TOTP: an account URI always gives the TOTP, or HOTP kept as notes.
      const entry = accountEntry(where, line, warnings);
      if (entry) entries.push(entry);
      return;
    }
    if (!/^otpauth-migration:\/\//i.test(line)) throw malformed('otpauth', where, 'is neither an otpauth:// nor an otpauth-migration:// URI');
    let accounts: MigrationAccount[];
    try {
      accounts = decodeMigrationPayload(migrationData(line));
    } catch (err) {
      if (err instanceof ProtoError || err instanceof TypeError) throw malformed('otpauth', where, 'is not a valid Google Authenticator export', 'scan the export QR code again');
      throw err;
    }
    accounts.forEach((account, n) => {
      const entry = accountEntry(`${where}, account ${n + 1}`, migrationUri(account), warnings);
      if (entry) entries.push(entry);
    });
  });
  return { entries, warnings };
}
