/**
 * Argon2id parameters, written as a PHC string (`$argon2id$v=19$m=…,t=…,p=…$<salt>`).
 * Parameters read from a file are bounded so that a hostile store cannot make the
 * tool allocate or compute without limit.
 */
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { OWNER_KEY_ARGON2ID } from './keys.js';

/** Argon2id cost and salt. Memory is in KiB, as Argon2 counts it. */
export interface KdfParams {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
}

export const SALT_LENGTH = 16;

/** The bounds every parameter must lie within, on write and on read. */
export const KDF_BOUNDS = {
  memoryKiB: { min: 1024, max: 4 * 1024 * 1024 },
  iterations: { min: 1, max: 16 },
  parallelism: { min: 1, max: 16 },
} as const;

/** SPEC.md's defaults: 64 MiB, 3 passes, 4 lanes. */
export const DEFAULT_KDF = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 4 } as const;

const VERSION = OWNER_KEY_ARGON2ID.version;
const PHC = new RegExp(`^\\$argon2id\\$v=${VERSION}\\$m=([1-9][0-9]{0,9}),t=([1-9][0-9]{0,2}),p=([1-9][0-9]{0,2})\\$([A-Za-z0-9+/]+)$`);

/** Throws unless every parameter lies within {@link KDF_BOUNDS}. */
export function checkKdfBounds(params: Omit<KdfParams, 'salt'>): void {
  for (const name of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const { min, max } = KDF_BOUNDS[name];
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new FormatError(`argon2id ${name} ${value} is outside ${min}..${max}`);
    }
  }
}

/** The PHC string of `params`, after checking their bounds. */
export function encodeKdf(params: KdfParams): string {
  checkKdfBounds(params);
  return `$argon2id$v=${VERSION}$m=${params.memoryKiB},t=${params.iterations},p=${params.parallelism}$${encodeBase64(params.salt)}`;
}

/** Parses a PHC string strictly: argon2id of this version only, decimal costs within bounds, a 16-byte salt. */
export function parseKdf(text: string): KdfParams {
  const match = PHC.exec(text);
  if (!match) throw new FormatError(`kdf is not an argon2id v${VERSION} PHC string`);
  const params = {
    memoryKiB: Number(match[1]),
    iterations: Number(match[2]),
    parallelism: Number(match[3]),
    salt: decodeBase64(match[4]!, 'kdf salt', SALT_LENGTH),
  };
  checkKdfBounds(params);
  return params;
}
