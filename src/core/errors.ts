/**
 * The typed errors of agent-vault. Each carries the exit code of SPEC.md; `src/main.ts`
 * is the only place that turns them into a process exit status. Messages are lowercase,
 * without a trailing period, and never contain a secret value.
 */

/** Exit codes, as SPEC.md states them. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  denied: 5,
  integrity: 6,
  busy: 7,
  cancelled: 8,
} as const;

/** The base of every error the tool reports on purpose. */
export class VaultError extends Error {
  /** A stable, machine-readable name used in `--json` error output. */
  readonly code: string = 'error';
  readonly exitCode: number = ExitCode.unexpected;
  /** What the user can do about it, printed on a second line. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or arguments, or input needed with no TTY to ask on (exit 2). */
export class UsageError extends VaultError {
  override readonly code = 'usage';
  override readonly exitCode = ExitCode.usage;
}

/** An agent, credential, grant or store that does not exist (exit 3). */
export class NotFoundError extends VaultError {
  override readonly code = 'not_found';
  override readonly exitCode = ExitCode.notFound;
}

/** Wrong passphrase, unknown or rotated token (exit 4). */
export class AuthError extends VaultError {
  override readonly code = 'auth_failed';
  override readonly exitCode = ExitCode.auth;
}

/** Authenticated, but not allowed to read this (exit 5). */
export class AccessDeniedError extends VaultError {
  override readonly code = 'access_denied';
  override readonly exitCode = ExitCode.denied;
}

/** A vault or audit file is tampered, truncated, corrupt or of an unsupported version (exit 6). */
export class IntegrityError extends VaultError {
  override readonly code = 'integrity';
  override readonly exitCode = ExitCode.integrity;
}

/** Another process held the store's lock past the wait time, or a compare-and-swap kept losing (exit 7). */
export class BusyError extends VaultError {
  override readonly code = 'busy';
  override readonly exitCode = ExitCode.busy;
}

/** A confirmation was declined or a prompt interrupted (exit 8). */
export class CancelledError extends VaultError {
  override readonly code = 'cancelled';
  override readonly exitCode = ExitCode.cancelled;
}

