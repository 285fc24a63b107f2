/**
 * TOTP codes from stored credentials. The secret is read through the same path as
 * `credential get` (auditedRead) and never leaves this module: callers get a code.
 */
import { NotFoundError, UsageError } from '../core/errors.js';
import { generateTotp, millisecondsLeft, parseTotpSecret, type TotpCode, type TotpParams } from '../core/totp.js';
import { provisioningUri } from '../core/totp-qr.js';
import { auditedRead } from './resolve-key.js';
import type { Session } from './session.js';

export interface TotpOptions {
  /**
   * When fewer than this many seconds are left in the current window, wait for the
   * next one, so the code is not stale by the time it is typed or sent.
   */
  freshSeconds?: number;
  /** How to wait (tests pass a fake that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function storedParams(key: string, stored: string | undefined): TotpParams {
  if (stored === undefined) throw new NotFoundError(`credential ${key} has no TOTP secret`, `add one with: agent-vault credential update ${key} --totp-stdin`);
  try {
    return parseTotpSecret(stored);
  } catch {
    throw new UsageError(`the stored TOTP secret of ${key} is not valid`, `set it again with: agent-vault credential update ${key} --totp-stdin`);
  }
}

/**
 * The current code of a credential's TOTP secret, using the session's clock; recorded
 * as one `totp.generate` event (`not_found` when there is no credential or no secret).
 */
export function totpCode(session: Session, agent: string, keyOrId: string, options: TotpOptions = {}): Promise<TotpCode & { grantedBy?: string }> {
  return auditedRead(session, agent, keyOrId, 'totp.generate', async (credential) => {
    const params = storedParams(credential.key, credential.fields.totp);
    const fresh = options.freshSeconds ?? 0;
    if (fresh > params.period) throw new UsageError(`--fresh ${fresh} is longer than the code's period of ${params.period} seconds`);
    let now = session.now().getTime();
    const left = millisecondsLeft(params, now);
    if (left < fresh * 1000) {
      const nextWindow = now + left;
      await (options.sleep ?? realSleep)(left);
      // A timer may wake a little early; never make a code for the window just left.
      now = Math.max(session.now().getTime(), nextWindow);
    }
    const code = await generateTotp(params, now);
    return credential.grantedBy === undefined ? code : { ...code, grantedBy: credential.grantedBy };
  });
}

/**
 * The credential's TOTP key URI with a label (`totp --qr`), for enrolling a phone:
 * it is the secret itself, so it is recorded as `credential.reveal`.
 */
export function totpProvisioningUri(session: Session, agent: string, keyOrId: string): Promise<string> {
  return auditedRead(session, agent, keyOrId, 'credential.reveal', (credential) => {
    const params = storedParams(credential.key, credential.fields.totp);
    return provisioningUri(params, { agent, key: credential.key, name: credential.name, ...(credential.fields.username === undefined ? {} : { username: credential.fields.username }) });
  });
}
