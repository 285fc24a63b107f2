/**
 * Resolving `av://<agent>/<KEY>[/<field>]` references (`read`, `inject`): each
 * credential read once through `readCredential`, so it is audited as `credential get`
 * reads it, and every reference resolved before the caller writes anything.
 */
import { readField } from '../core/credential.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { formatReference, namesTotpSecret, type ValueReference } from '../core/reference.js';
import { readCredential, type ListedCredential } from './credentials.js';
import type { Session } from './session.js';

/**
 * The value of each reference, in order. A missing agent, key or field is exit 3 naming
 * the reference; a TOTP secret needs `reveal` (exit 2 otherwise), since it makes every
 * future code. Nothing is returned unless every reference resolved.
 */
export async function resolveReferences(session: Session, references: readonly ValueReference[], options: { reveal?: boolean } = {}): Promise<string[]> {
  for (const reference of references) {
    if (namesTotpSecret(reference) && options.reveal !== true) {
      throw new UsageError(`${formatReference(reference)} names a TOTP secret, which is printed only with --reveal`, `for a code, use: agent-vault totp ${reference.key} --agent ${reference.agent}`);
    }
  }
  const credentials = new Map<string, ListedCredential>();
  const values: string[] = [];
  for (const reference of references) {
    const id = `${reference.agent}/${reference.key}`;
    let credential = credentials.get(id);
    if (credential === undefined) {
      const reveal = references.some((r) => r.agent === reference.agent && r.key === reference.key && namesTotpSecret(r));
      // Its errors name the agent or the key already (and a missing store names neither).
      credential = await readCredential(session, reference.agent, reference.key, { reveal });
      credentials.set(id, credential);
    }
    values.push(fieldOf(credential, reference));
  }
  return values;
}

function fieldOf(credential: ListedCredential, reference: ValueReference): string {
  try {
    return readField(credential, reference.field);
  } catch (err) {
    // A field the credential's type does not have is as missing as one it has left empty.
    if (err instanceof UsageError || err instanceof NotFoundError) throw new NotFoundError(`${formatReference(reference)}: ${err.message}`, err.hint);
    throw err;
  }
}
