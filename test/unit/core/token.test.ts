import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/core/errors.js';
import { createToken, parseToken, TOKEN_SECRET_BYTES } from '../../../src/core/token.js';

const SECRET = Buffer.alloc(32, 0xab);
const good = (agent: string, secret = SECRET): string => `avt_${agent}_${secret.toString('base64url')}`;

describe('createToken', () => {
  it('makes avt_<agent>_<43 base64url characters> carrying 32 fresh random bytes', () => {
    const a = createToken('ci-bot');
    const b = createToken('ci-bot');
    expect(a.token).toMatch(/^avt_ci-bot_[A-Za-z0-9_-]{43}$/);
    expect(a.parsed.agent).toBe('ci-bot');
    expect(a.parsed.secret).toHaveLength(TOKEN_SECRET_BYTES);
    expect(a.parsed.secret.equals(b.parsed.secret)).toBe(false);
    expect(parseToken(a.token)).toEqual(a.parsed);
  });
});

describe('parseToken', () => {
  it.each(['bot', 'a', 'my_agent', 'my-agent_2', 'x'.repeat(64)])('reads the agent %j and the secret', (agent) => {
    expect(parseToken(good(agent))).toEqual({ agent, secret: SECRET });
  });

  it('finds the agent from the end, so agent ids with _ work', () => {
    const secret = Buffer.from('_'.repeat(43), 'base64url');
    expect(parseToken(good('a_b', secret)).agent).toBe('a_b');
  });

  it('ignores surrounding white space (a token file ends with a newline)', () => {
    expect(parseToken(`  ${good('bot')}\n`).agent).toBe('bot');
  });

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['no prefix', good('bot').slice(4)],
    ['another prefix', `avx_${good('bot').slice(4)}`],
    ['no agent', `avt__${SECRET.toString('base64url')}`],
    ['an invalid agent', good('Bot')],
    ['an agent with a slash', good('a/b')],
    ['a secret one character short', good('bot').slice(0, -1)],
    ['a secret one character long', `${good('bot')}A`],
    ['a secret with padding', `${good('bot').slice(0, -1)}=`],
    ['a secret in standard base64', `${good('bot').slice(0, -1)}+`],
    ['a secret with non-zero unused bits', `${good('bot').slice(0, -1)}B`],
    ['no separator before the secret', `avt_bot${SECRET.toString('base64url')}`],
    ['a space inside', `avt_bot _${SECRET.toString('base64url')}`],
    ['only the prefix', 'avt_'],
  ];
  it.each(malformed)('rejects a token with %s as exit 4, without repeating it', (_what, text) => {
    let error: unknown;
    try {
      parseToken(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    const message = `${(error as AuthError).message} ${(error as AuthError).hint ?? ''}`;
    if (text.length > 8) expect(message).not.toContain(text.slice(-20));
  });
});
