/**
 * Argon2id parameters, written as a PHC string (`$argon2id$v=19$m=…,t=…,p=…$<salt>`).
 *
 * The parameters come from the store file, and nothing can authenticate them before
 * Argon2 has run: the check value is keyed by the owner key that Argon2 derives, and a
 * check keyed by anything cheaper (a fast hash of the passphrase) would be an offline
 * oracle that skips Argon2 altogether. Anyone who can write the store file can thus
 * choose the cost of the next owner command. What limits it is the bound, the same on
 * write and on read, and no override recorded in the store can raise it (whoever edits
 * the file would edit the override too): at most 1 GiB, 10 passes and 8 lanes, 16, 3
 * and 2 times the defaults, against 4 GiB and 16 passes before. A store file beyond
 * them was not written by this tool: exit 6, before any memory is allocated.
 */
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { PASSPHRASE_KEY_ARGON2ID } from './keys.js';

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
  memoryKiB: { min: 1024, max: 1024 * 1024 },
  iterations: { min: 1, max: 10 },
  parallelism: { min: 1, max: 8 },
} as const;

/** SPEC.md's defaults: 64 MiB, 3 passes, 4 lanes. */
export const DEFAULT_KDF = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 4 } as const;

const VERSION = PASSPHRASE_KEY_ARGON2ID.version;
const PHC = new RegExp(`^\\$argon2id\\$v=${VERSION}\\$m=([1-9][0-9]{0,9}),t=([1-9][0-9]{0,2}),p=([1-9][0-9]{0,2})\\$([A-Za-z0-9+/]+)$`);

/** How a message names each parameter. */
const NAMES = { memoryKiB: 'memory (KiB)', iterations: 'passes', parallelism: 'lanes' } as const;

/** Throws unless every parameter lies within {@link KDF_BOUNDS}. */
export function checkKdfBounds(params: Omit<KdfParams, 'salt'>): void {
  for (const name of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const { min, max } = KDF_BOUNDS[name];
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new FormatError(`argon2id ${NAMES[name]} ${value} is outside ${min}..${max}`);
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
  try {
    checkKdfBounds(params);
  } catch (err) {
    // Refused before Argon2 runs, so before anything is allocated or asked for.
    throw new FormatError(`the store file's kdf: ${(err as Error).message}, which agent-vault never writes`, 'the store file was altered: restore it from a backup');
  }
  return params;
}
