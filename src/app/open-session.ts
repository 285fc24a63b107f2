/**
 * Opening a session: the one place that builds a {@link Session}, and gives it the
 * lifecycle recovery to run once the owner proved the passphrase.
 */
import { AuthError } from '../core/errors.js';
import { parseToken, type AgentToken } from '../core/token.js';
import type { StorageBackend } from '../store/backend.js';
import { openStore } from '../store/open.js';
import { recoverInterrupted } from './agents.js';
import { Session, type OwnerSessionSource, type PassphraseSource } from './session.js';

export interface SessionOptions {
  /** The store: a backend, or its location (a directory) to open with the environment's settings. */
  store: StorageBackend | string;
  /** An agent token; when given it alone decides who is calling. */
  token?: string;
  /** The owner passphrase, or a function that asks for it. */
  passphrase?: string | PassphraseSource;
  /** An owner session from `unlock`: used instead of the passphrase when there is no token. */
  ownerSession?: OwnerSessionSource;
  /** Read for store settings (AGENT_VAULT_LOCK_TIMEOUT) when `store` is a location. */
  env?: NodeJS.ProcessEnv;
  /** The clock, for tests. */
  now?: () => Date;
  /** Where problems that do not stop a command are told (stderr, in the CLI). */
  warn?: (message: string) => void;
}

/**
 * Opens a session: an agent's with a token, else the owner's, proved by an owner
 * session (`unlock`) if one is given, else by the passphrase. A malformed token is refused here (exit 4) and recorded, as every
 * failed proof is, in the store's log as `unknown`. An owner session finishes the
 * lifecycle changes a crash interrupted as soon as the passphrase is proved.
 */
export async function openSession(options: SessionOptions): Promise<Session> {
  const store = typeof options.store === 'string' ? openStore(options.store, options.env ?? {}) : options.store;
  const now = options.now ?? (() => new Date());
  const warn = options.warn ?? (() => {});
  if (options.token === undefined) {
    const source = options.passphrase;
    const ask: PassphraseSource =
      typeof source === 'string' ? async () => source : (source ?? (async () => Promise.reject(new AuthError('no passphrase or token given'))));
    return new Session(store, { kind: 'owner', passphrase: ask, ...(options.ownerSession ? { session: options.ownerSession } : {}) }, now, {
      warn,
      ownerProved: async (session) => {
        // A rekey first: the lifecycle journals are keyed by the root key it settles.
        const { finishInterruptedRekey } = await import('./owner-lifecycle.js');
        const rekeyed = await finishInterruptedRekey(session);
        if (rekeyed) warn(rekeyed);
        for (const done of await recoverInterrupted(session)) warn(done);
      },
    });
  }
  let token: AgentToken;
  try {
    token = parseToken(options.token);
  } catch (err) {
    await new Session(store, { kind: 'owner', passphrase: async () => '' }, now).audit.denied('', 'malformed token');
    throw err;
  }
  return new Session(store, { kind: 'agent', token }, now, { warn });
}
