/**
 * The passphrase key: Argon2id over the passphrase with the store's parameters. It
 * opens the store file's passphrase slot, which holds the root key. argon2 is
 * imported here lazily, so agent-token paths never load it.
 */
import { checkKdfBounds, type KdfParams } from '../format/kdf.js';
import { PASSPHRASE_KEY_ARGON2ID } from '../format/keys.js';

/**
 * Derives the passphrase key. The parameters are checked against their bounds here too,
 * whoever parsed them: this is where Argon2 allocates `memoryKiB`, and parameters from
 * a store file are not authenticated until after this run (see format/kdf.ts).
 */
export async function derivePassphraseKey(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  checkKdfBounds(kdf);
  const argon2 = await import('argon2');
  return argon2.hash(passphrase, {
    type: argon2.argon2id,
    raw: true,
    hashLength: PASSPHRASE_KEY_ARGON2ID.length,
    salt: kdf.salt,
    memoryCost: kdf.memoryKiB,
    timeCost: kdf.iterations,
    parallelism: kdf.parallelism,
    version: PASSPHRASE_KEY_ARGON2ID.version,
  });
}
