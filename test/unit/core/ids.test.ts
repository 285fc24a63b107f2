import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { checkAgentId, checkCredentialKey, isAgentId, isCredentialKey, MAX_KEY_LENGTH } from '../../../src/core/ids.js';

describe('agent ids', () => {
  it.each(['a', 'bot1', 'ci-bot', 'my_agent-2', '0', '0-', 'a_', 'x'.repeat(64)])('accepts %j', (id) => {
    expect(isAgentId(id)).toBe(true);
    expect(checkAgentId(id)).toBe(id);
  });

  it.each(['', 'Bot', 'a b', 'a/b', '../x', '..', '.', 'a.b', 'x'.repeat(65), 'bot\n', 'ünï', 'a\0', '-', '--x', '-bot', '_bot', '__'])('rejects %j with a usage error', (id) => {
    expect(isAgentId(id)).toBe(false);
    expect(() => checkAgentId(id)).toThrow(UsageError);
  });

  it('does not repeat a very long id in full', () => {
    const id = 'A'.repeat(500);
    expect(() => checkAgentId(id)).toThrow(/^invalid agent id "A{80}"$/);
  });
});

describe('credential keys', () => {
  it.each(['A', 'API_KEY', 'OPENAI_API_KEY', 'K8S_TOKEN_2', 'A'.repeat(MAX_KEY_LENGTH)])('accepts %j', (key) => {
    expect(isCredentialKey(key)).toBe(true);
    expect(checkCredentialKey(key)).toBe(key);
  });

  it.each(['', 'api_key', 'Api_Key', '_KEY', 'KEY_', 'A__B', '1KEY', 'KEY-NAME', 'KEY NAME', 'KEY=V', 'A'.repeat(MAX_KEY_LENGTH + 1), 'KÉY'])(
    'rejects %j with a usage error (exit 2)',
    (key) => {
      expect(isCredentialKey(key)).toBe(false);
      expect(() => checkCredentialKey(key)).toThrow(UsageError);
      try {
        checkCredentialKey(key);
      } catch (err) {
        expect((err as UsageError).exitCode).toBe(2);
        expect((err as UsageError).hint).toMatch(/UPPER_SNAKE_CASE/);
      }
    },
  );
});
