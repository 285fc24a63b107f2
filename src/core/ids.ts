/**
 * Names that become file names or environment variable names are validated here,
 * before they reach the disk or a child process.
 */
import { UsageError } from './errors.js';

// The first character is a letter or digit: an id such as `-` or `--x` would read as an
// option wherever it is put on a later command line (`token rotate --x`).
const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const CREDENTIAL_KEY = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
export const MAX_KEY_LENGTH = 128;

export function isAgentId(text: string): boolean {
  return AGENT_ID.test(text);
}

/** Throws a usage error unless `text` is a valid agent id. */
export function checkAgentId(text: string): string {
  if (!isAgentId(text)) {
    throw new UsageError(
      `invalid agent id ${JSON.stringify(text.slice(0, 80))}`,
      'agent ids are 1 to 64 characters: lowercase letters, digits, - and _, starting with a letter or digit',
    );
  }
  return text;
}

export function isCredentialKey(text: string): boolean {
  return text.length <= MAX_KEY_LENGTH && CREDENTIAL_KEY.test(text);
}

/** Throws a usage error unless `text` is an UPPER_SNAKE_CASE credential key. */
export function checkCredentialKey(text: string): string {
  if (!isCredentialKey(text)) {
    throw new UsageError(
      `invalid credential key ${JSON.stringify(text.slice(0, 80))}`,
      `keys are UPPER_SNAKE_CASE, start with a letter and have at most ${MAX_KEY_LENGTH} characters, e.g. OPENAI_API_KEY`,
    );
  }
  return text;
}
