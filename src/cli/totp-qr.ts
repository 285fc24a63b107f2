/**
 * `totp --qr --reveal`: the credential's key URI as a QR code on the terminal. The QR
 * encoder (`uqr`, no dependencies of its own) stays outside the bundle and is imported
 * only here, so no other command loads it.
 */
import { UsageError } from '../core/errors.js';
import { renderHalfBlocks } from '../core/totp-qr.js';
import { totpProvisioningUri } from '../app/totp.js';
import type { Context } from './context.js';
import { notice, printJson } from './render.js';

/** Prints the QR code of `keyOrId`'s TOTP key URI (with `--json`, the URI and the matrix's size). */
export async function printTotpQr(ctx: Context, keyOrId: string, reveal: boolean): Promise<void> {
  // The code is the secret: whoever sees or photographs the screen can make every future code.
  if (!reveal) throw new UsageError('--qr shows the TOTP secret itself, so it needs --reveal', `for a code, use: agent-vault totp ${keyOrId}`);
  const session = await ctx.session();
  const uri = await totpProvisioningUri(session, ctx.agent(session), keyOrId);
  const { encode } = await import('uqr');
  // Error correction M: what authenticator apps' own enrolment codes use.
  const qr = encode(uri, { ecc: 'M', border: 0 });
  if (ctx.mode.json) {
    printJson(ctx.io, { uri, qr: renderHalfBlocks(qr.data, false) });
    return;
  }
  ctx.io.out(renderHalfBlocks(qr.data, ctx.mode.color));
  notice(ctx.io, ctx.mode, `scan it with an authenticator app; it holds the TOTP secret of ${keyOrId}, so clear the screen afterwards`);
}
