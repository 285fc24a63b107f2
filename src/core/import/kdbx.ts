/**
 * KeePass and KeePassXC databases (KDBX 3.1 and 4), read by kdbxweb with the caller's
 * Argon2 (agent-vault's native `argon2`). The key derivation's cost is read from the
 * header and bounded before any work is done, so a hostile file cannot make the import
 * allocate or compute without limit. Entries in the recycle bin are left out; each
 * entry's group path below the root becomes a tag; TOTP comes from KeePassXC's `otp`
 * attribute, KeePass's `TimeOtp-*` attributes or the older `TOTP Seed`/`TOTP Settings`;
 * every other custom attribute is kept in the notes. kdbxweb is loaded with this module,
 * which is imported only for a kdbx import.
 */
import kdbxweb, { type Kdbx, type KdbxEntry, type KdbxGroup } from 'kdbxweb';
import { VaultError } from '../errors.js';
import { decodeBase32, encodeBase32 } from '../totp.js';
import { ImportInputError, isImportInputError, itemEntry, malformed, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

/** Argon2 as kdbxweb asks for it: raw output of `length` bytes. */
export type Argon2Fn = (params: {
  password: Uint8Array;
  salt: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  length: number;
  type: 'argon2d' | 'argon2id';
  version: number;
}) => Promise<Uint8Array>;

/**
 * The most work an imported database may ask for. KeePassXC's defaults (Argon2, 64 MiB,
 * about a second of passes; or AES-KDF at a second's worth of rounds) are far below.
 */
export const KDBX_KDF_LIMITS = {
  /** Argon2 memory: 1 GiB. */
  argon2MemoryKiB: 1024 * 1024,
  /** Argon2 memory times passes: 64 GiB, e.g. 64 MiB for 1024 passes or 1 GiB for 64. */
  argon2WorkKiB: 64 * 1024 * 1024,
  argon2Parallelism: 64,
  /** AES-KDF rounds: 2^30, some tens of seconds. */
  aesRounds: 2 ** 30,
} as const;

/** The key derivation a header asks for, as numbers. */
export type KdbxKdf =
  | { kind: 'argon2d' | 'argon2id'; memoryKiB: number; iterations: number; parallelism: number }
  | { kind: 'aes'; rounds: number }
  | { kind: 'unknown' };

/** Throws a malformed-input error (exit 2) when a key derivation costs more than {@link KDBX_KDF_LIMITS}. */
export function checkKdbxKdf(kdf: KdbxKdf): void {
  const refuse = (what: string): never => {
    throw malformed('kdbx', 'the header', `asks for ${what}, over the limit of this import`, 'lower the database\'s encryption settings in KeePassXC (Database, Security) and save it again');
  };
  if (kdf.kind === 'unknown') throw malformed('kdbx', 'the header', 'names a key derivation that is neither Argon2 nor AES-KDF');
  if (kdf.kind === 'aes') {
    if (!(kdf.rounds <= KDBX_KDF_LIMITS.aesRounds)) refuse(`${kdf.rounds} AES-KDF rounds (at most ${KDBX_KDF_LIMITS.aesRounds})`);
    return;
  }
  const { memoryKiB, iterations, parallelism } = kdf;
  if (!(memoryKiB <= KDBX_KDF_LIMITS.argon2MemoryKiB)) refuse(`${Math.round(memoryKiB / 1024)} MiB of Argon2 memory (at most ${KDBX_KDF_LIMITS.argon2MemoryKiB / 1024})`);
  if (!(memoryKiB * iterations <= KDBX_KDF_LIMITS.argon2WorkKiB)) refuse(`${iterations} Argon2 passes over ${Math.round(memoryKiB / 1024)} MiB (at most ${KDBX_KDF_LIMITS.argon2WorkKiB / 1024 / 1024} GiB in all)`);
  if (!(parallelism <= KDBX_KDF_LIMITS.argon2Parallelism)) refuse(`${parallelism} Argon2 lanes (at most ${KDBX_KDF_LIMITS.argon2Parallelism})`);
}

/** A header number: kdbxweb gives a 64-bit one as an Int64 of two halves. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'hi' in value && 'lo' in value) return (value as { hi: number }).hi * 2 ** 32 + (value as { lo: number }).lo;
  return Number.NaN;
}

/** The key derivation a database's header names, read before any of it runs. */
function headerKdf(data: ArrayBuffer): KdbxKdf {
  const header = kdbxweb.KdbxHeader.read(new kdbxweb.BinaryStream(data), new kdbxweb.KdbxContext({ kdbx: new kdbxweb.Kdbx() }));
  const params = header.kdfParameters;
  if (!params) return { kind: 'aes', rounds: toNumber(header.keyEncryptionRounds) };
  const uuid = params.get('$UUID');
  const id = uuid instanceof ArrayBuffer ? Buffer.from(uuid).toString('base64') : '';
  const { KdfId } = kdbxweb.Consts;
  if (id === KdfId.Aes) return { kind: 'aes', rounds: toNumber(params.get('R')) };
  if (id !== KdfId.Argon2d && id !== KdfId.Argon2id) return { kind: 'unknown' };
  return { kind: id === KdfId.Argon2d ? 'argon2d' : 'argon2id', memoryKiB: toNumber(params.get('M')) / 1024, iterations: toNumber(params.get('I')), parallelism: toNumber(params.get('P')) };
}

/** A field's text, protected (in-memory encrypted) or not. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'getText' in value) return (value as { getText(): string }).getText();
  return '';
}

const STANDARD = new Set(['Title', 'UserName', 'Password', 'URL', 'Notes']);
const KEEPASS_ALGORITHMS: Record<string, string> = { 'HMAC-SHA-1': 'SHA1', 'HMAC-SHA-256': 'SHA256', 'HMAC-SHA-512': 'SHA512' };

/** The TOTP of an entry as a key URI, and the attribute names it used; `undefined` without one. */
function entryTotp(fields: Map<string, string>): { totp: string; used: string[] } | undefined {
  const otp = fields.get('otp');
  if (otp) return { totp: otp, used: ['otp'] };
  const uri = (secret: string, digits: string, period: string, algorithm = 'SHA1', extra = ''): string =>
    `otpauth://totp/?secret=${secret}&algorithm=${algorithm}&digits=${digits || '6'}&period=${period || '30'}${extra}`;
  // KeePass 2.47+: the key in one of four encodings, with its own length, period and algorithm.
  const encodings: Array<[string, (value: string) => Uint8Array]> = [
    ['TimeOtp-Secret-Base32', (value) => decodeBase32(value)],
    ['TimeOtp-Secret-Hex', (value) => Buffer.from(value.replace(/\s/g, ''), 'hex')],
    ['TimeOtp-Secret-Base64', (value) => Buffer.from(value, 'base64')],
    ['TimeOtp-Secret', (value) => Buffer.from(value, 'utf8')],
  ];
  for (const [name, decode] of encodings) {
    const value = fields.get(name);
    if (!value) continue;
    const algorithm = KEEPASS_ALGORITHMS[fields.get('TimeOtp-Algorithm') ?? 'HMAC-SHA-1'] ?? 'unsupported';
    return { totp: uri(encodeBase32(decode(value)), fields.get('TimeOtp-Length') ?? '', fields.get('TimeOtp-Period') ?? '', algorithm), used: [name, 'TimeOtp-Length', 'TimeOtp-Period', 'TimeOtp-Algorithm'] };
  }
  // KeePassXC before 2.6 (and KeeOtp): `TOTP Settings` is `period;digits`, digits `S` for Steam.
  const seed = fields.get('TOTP Seed');
  if (seed) {
    const [period = '30', digits = '6'] = (fields.get('TOTP Settings') ?? '').split(';');
    const steam = digits === 'S';
    return { totp: uri(seed.replace(/\s/g, '').toUpperCase(), steam ? '5' : digits, period, 'SHA1', steam ? '&encoder=steam' : ''), used: ['TOTP Seed', 'TOTP Settings'] };
  }
  return undefined;
}

function toEntry(entry: KdbxEntry, path: string[], source: string, warnings: ImportWarning[]): ImportEntry | undefined {
  const fields = new Map([...entry.fields].map(([name, value]) => [name, text(value)]));
  const found = entryTotp(fields);
  const used = new Set([...STANDARD, ...(found?.used ?? [])]);
  const extraUris = [...fields].filter(([name]) => /^KP2A_URL(_\d+)?$/.test(name)).map(([, value]) => value);
  const extras = [...fields].filter(([name, value]) => !used.has(name) && !/^KP2A_URL(_\d+)?$/.test(name) && value !== '');
  if (entry.binaries.size > 0) warnings.push({ source, message: `its ${entry.binaries.size} attachment(s) are not imported` });
  return itemEntry(
    {
      source,
      title: fields.get('Title') ?? '',
      username: fields.get('UserName') ?? '',
      password: fields.get('Password') ?? '',
      uris: [fields.get('URL') ?? '', ...extraUris],
      ...(found ? { totp: found.totp } : {}),
      notes: fields.get('Notes') ?? '',
      extras,
      tags: [...(path.length > 0 ? [path.join('/')] : []), ...entry.tags],
    },
    warnings,
  );
}

/** Maps what kdbxweb throws to our errors: the wrong password is exit 4, anything else a malformed file. */
function loadError(err: unknown): ImportInputError {
  if (isImportInputError(err)) return err;
  const code = (err as { code?: string } | null)?.code;
  if (code === 'InvalidKey') return new ImportInputError('the password of the kdbx file is wrong', 'give the database\'s own password, e.g. with --kdbx-password-file', 'auth');
  const problems: Record<string, string> = {
    BadSignature: 'is not a KeePass database',
    InvalidVersion: 'is of a KeePass database version this import cannot read (it reads KDBX 3.1 and 4)',
    Unsupported: 'uses a cipher or setting this import cannot read',
    FileCorrupt: 'is corrupt or was changed',
  };
  return malformed('kdbx', 'the file', problems[code ?? ''] ?? 'is truncated or corrupt');
}

/** Reads a database with its password; `argon2` does its key derivation, once its cost is checked. */
export async function parseKdbx(bytes: Uint8Array, password: string, argon2: Argon2Fn): Promise<ParsedImport> {
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let db: Kdbx;
  try {
    checkKdbxKdf(headerKdf(data));
    kdbxweb.CryptoEngine.setArgon2Impl(async (pw, salt, memory, iterations, length, parallelism, type, version) => {
      // Checked again where the work is done, in case kdbxweb reads parameters the header check did not.
      checkKdbxKdf({ kind: type === kdbxweb.CryptoEngine.Argon2TypeArgon2d ? 'argon2d' : 'argon2id', memoryKiB: memory, iterations, parallelism });
      const out = await argon2({ password: new Uint8Array(pw), salt: new Uint8Array(salt), memoryKiB: memory, iterations, parallelism, length, type: type === kdbxweb.CryptoEngine.Argon2TypeArgon2d ? 'argon2d' : 'argon2id', version });
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
    });
    // KeePass has no empty password: an empty one means a database without one.
    db = await kdbxweb.Kdbx.load(data, new kdbxweb.Credentials(password === '' ? null : kdbxweb.ProtectedValue.fromString(password)));
  } catch (err) {
    throw loadError(err);
  }
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  const recycleBin = db.meta.recycleBinEnabled !== false ? db.meta.recycleBinUuid : undefined;
  let number = 0;
  let recycled = 0;
  const walk = (group: KdbxGroup, path: string[]): void => {
    if (recycleBin && !recycleBin.empty && group.uuid.equals(recycleBin)) {
      recycled += [...group.allEntries()].length;
      return;
    }
    for (const entry of group.entries) {
      number += 1;
      const title = text(entry.fields.get('Title'));
      const source = `entry ${number} (${[...path, title].join('/')})`;
      let found: ImportEntry | undefined;
      try {
        found = toEntry(entry, path, source, warnings);
      } catch (err) {
        // A TOTP attribute that is not base32: name the entry, never the value.
        if (err instanceof VaultError) throw malformed('kdbx', source, err.message);
        throw err;
      }
      if (found) entries.push(found);
    }
    for (const child of group.groups) walk(child, [...path, child.name ?? '']);
  };
  const root = db.getDefaultGroup();
  walk(root, []);
  if (recycled > 0) warnings.push({ source: 'the recycle bin', message: `its ${recycled} entries are left out` });
  return { entries, warnings };
}
