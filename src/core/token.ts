/**
 * Agent tokens: `avt_<agent>_<secret>`, the secret being 256 random bits in 43
 * base64url characters. The token names its agent so no `--agent` is needed; only the
 * key slot it opens is ever stored, never the token.
 */
import { randomBytes } from 'node:crypto';
import { AuthError } from './errors.js';
import { isAgentId } from './ids.js';

const PREFIX = 'avt_';
const SECRET_CHARS = 43;
export const TOKEN_SECRET_BYTES = 32;

/** A parsed token: the agent it names and its 32 secret bytes. */
export interface AgentToken {
  agent: string;
  secret: Buffer;
}

/** Makes a new token for `agent` from 256 fresh random bits. */
export function createToken(agent: string): { token: string; parsed: AgentToken } {
  const secret = randomBytes(TOKEN_SECRET_BYTES);
  return { token: `${PREFIX}${agent}_${secret.toString('base64url')}`, parsed: { agent, secret } };
}

/**
 * Parses a token, throwing an authentication error (exit 4) for anything malformed.
 * The message never repeats the token.
 */
export function parseToken(text: string): AgentToken {
  const token = text.trim();
  const agent = token.slice(PREFIX.length, token.length - SECRET_CHARS - 1);
  const secretText = token.slice(token.length - SECRET_CHARS);
  const wellFormed =
    token.startsWith(PREFIX) &&
    token.length > PREFIX.length + SECRET_CHARS + 1 &&
    token[token.length - SECRET_CHARS - 1] === '_' &&
    isAgentId(agent) &&
    /^[A-Za-z0-9_-]+$/.test(secretText);
  const secret = wellFormed ? Buffer.from(secretText, 'base64url') : undefined;
  if (!secret || secret.length !== TOKEN_SECRET_BYTES || secret.toString('base64url') !== secretText) {
    throw new AuthError('malformed agent token', 'tokens look like avt_<agent>_<43 characters>; use the one provision or token rotate printed');
  }
  return { agent, secret };
}
