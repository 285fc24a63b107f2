/**
 * The one list of tests that run on a directory store only, with the reason: each
 * reaches into the store's files (reads a log or vault file, plants, removes or edits
 * one, takes a lock file, checks a mode). A PostgreSQL store has no files; its own
 * tamper, rollback, crash and concurrency tests are in test/postgres/. The `*-pg`
 * projects of vitest.config.ts leave out the files listed here and, through
 * directory-only-setup.ts, skip the tests listed here with their reason as the note.
 */
/** [file, the start of the test's full name (its describe blocks and title, joined by " > "), reason]. */
export const DIRECTORY_ONLY: Array<[file: string, name: string, reason: string]> = [
  ['test/cli/auth.test.ts', 'agent tokens > a forged token naming one agent', 'reads the log files'],
  ['test/cli/backup.test.ts', 'backup and restore > restores only into an empty store', 'compares vault files before and after'],
  ['test/cli/backup.test.ts', 'backup and restore > backs up a log caught one line past its head', 'puts an older audit head file back (PostgreSQL reads a log and its head in one statement)'],
  ['test/cli/exec.test.ts', "exec > returns the child's exit code", 'reads the log file'],
  ['test/cli/generate.test.ts', "generate > --save > sets a login's password", 'reads the log file'],
  ['test/cli/grant-attacks.test.ts', '', 'plants, moves and edits grant, certificate and vault files'],
  ['test/cli/vault-blocks.test.ts', '', 'flips bytes of vault files and writes a v1 one'],
  ['test/cli/vault-overlay.test.ts', 'in a vault of three blocks, writes of a few credentials > a write of one credential when the listing', 'flips a byte of the vault file'],
  ['test/cli/vault-overlay.test.ts', 'in a vault of three blocks, writes of a few credentials > with the last block', 'flips a byte of the vault file'],
  ['test/cli/grant.test.ts', 'grants between agents > ', 'reads every file of the store directory and the log files'],
  ['test/cli/lifecycle-audit.test.ts', '', 'reads and removes log, vault and certificate files, and takes a lock file'],
  ['test/e2e/audit.test.ts', 'what the audit log records > lets 16 concurrent readers', 'reads the log file (test/postgres/ has its own 16 appenders)'],
  ['test/e2e/concurrency.test.ts', 'concurrent writers > 16 concurrent', 'looks for temp files in the vaults directory (test/postgres/ has its own 16 writers)'],
  ['test/e2e/concurrency.test.ts', 'concurrent writers > a stale lock', 'plants a lock file'],
  ['test/e2e/concurrency.test.ts', 'concurrent writers > a lock held', 'plants a lock file'],
  ['test/e2e/grants.test.ts', 'grants between agents > isolates agents below the CLI', 'opens the store directory through the programmatic API'],
  ['test/e2e/exec.test.ts', 'exec > shows no value on any command line', 'reads the log file'],
  ['test/e2e/totp.test.ts', 'totp > records every code', 'reads the log file'],
  ['test/e2e/totp.test.ts', 'totp > never lets a TOTP secret appear', 'reads every file of the store directory'],
  ['test/cli/status.test.ts', 'status > shows a damaged vault', 'writes over a vault file'],
  ['test/cli/search-every-vault.test.ts', 'credential search across vaults > does not open the grants', 'writes over a grant file'],
  ['test/cli/fast-path.test.ts', '', 'reads the log files and writes over a vault file'],
  ['test/cli/credential-history.test.ts', 'credential history and restore > keeps no old value', 'reads every file of the store directory'],
  ['test/cli/credential-history.test.ts', 'credential history and restore > keeps the newest 10', 'reads every file of the store directory'],
  ['test/cli/credential-history.test.ts', 'credential history and restore > removes the history', 'reads every file of the store directory'],
  ['test/cli/hooks.test.ts', 'hooks > keeps working after rekey', 'compares the hooks files before and after'],
  ['test/cli/hooks.test.ts', 'hooks > lets no agent list', 'reads the hooks file'],
  ['test/cli/hooks.test.ts', 'hooks > refuses a hooks file that was altered', 'edits the hooks file'],
  ['test/cli/hooks.test.ts', "hooks > turns no line into an event", 'appends to a log file'],
  ['test/cli/owner-keys.test.ts', 'passwd > ', 'compares the store and vault files before and after'],
  ['test/cli/owner-keys.test.ts', 'rekey > ', 'compares, edits and plants store, vault and journal files'],
  ['test/cli/owner-session.test.ts', 'unlock > writes the session string to no store file', 'reads every file of the store directory'],
  ['test/cli/proposal.test.ts', 'proposal > a backup holds the proposals', 'restores into a directory and compares it'],
  ['test/cli/proposal.test.ts', 'proposal > a pending copy', 'puts an old proposal file back'],
  ['test/cli/proposal.test.ts', 'proposal > a pending proposal survives a token rotation', 'reads the proposal files'],
  ['test/cli/proposal.test.ts', 'proposal > a proposal file moved', 'moves proposal files'],
  ['test/cli/proposal.test.ts', 'proposal > a proposal forged by another agent', 'plants a proposal file'],
  ['test/cli/proposal.test.ts', 'proposal > a tampered proposal file', 'edits a proposal file'],
  ['test/cli/proposal.test.ts', 'proposal > an agent-supplied value is sealed', 'reads every file of the store directory'],
  ['test/cli/proposal.test.ts', 'proposal > proposal files are 0600', 'checks file modes'],
  ['test/cli/proposal.test.ts', 'proposal > skips names in the proposals directory', 'plants files in the proposals directory'],
  ['test/cli/proposal.test.ts', 'proposal > works from TypeScript', 'opens the store directory through the programmatic API'],
];

/** Whole files, for set-up that already reaches into files (beforeAll): excluded in vitest.config.ts. */
export const DIRECTORY_ONLY_FILES = [
  // Planted links, FIFOs, foreign modes and file names in the store directory.
  'test/cli/planted-links.test.ts',
  'test/cli/store-modes.test.ts',
  'test/cli/store-files.test.ts',
  'test/cli/damaged-files.test.ts',
  // Their beforeAll reads the vault or log files they then damage in every test.
  'test/cli/integrity.test.ts',
  'test/cli/audit.test.ts',
];

