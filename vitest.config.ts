import { defineConfig } from 'vitest/config';
import { postgresBinDir } from './test/helpers/postgres.js';
import { DIRECTORY_ONLY_FILES } from './test/helpers/directory-only.js';

/**
 * The spawned suites that are about commands and processes, not files: they run on
 * PostgreSQL too. The rest edit the store's files, crash at fs-ops.ts's write points,
 * or fill a disk (kdf-bounds edits the store file; pipes fills its store through the
 * programmatic API on a directory).
 */
const PG_E2E = [
  'test/e2e/smoke.test.ts',
  'test/e2e/concurrency.test.ts',
  'test/e2e/grants.test.ts',
  'test/e2e/grant-rotation-race.test.ts',
  'test/e2e/audit.test.ts',
  'test/e2e/totp.test.ts',
  'test/e2e/exec.test.ts',
  'test/e2e/exec-terminal.test.ts',
  'test/e2e/environ.test.ts',
  'test/e2e/import.test.ts',
  'test/e2e/tty.test.ts',
];

const hasPostgres = postgresBinDir() !== undefined;
if (!hasPostgres) console.warn('skipped: no PostgreSQL (the unit-pg and e2e-pg projects, which run the command suites against a PostgreSQL store)');
const pgEnv = { AGENT_VAULT_TEST_BACKEND: 'postgres' };

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // On 2 cores: a worker of the e2e tests mostly waits for the CLI processes it spawns,
    // so 3 workers keep both cores busier (whole suite 43 s with 2 workers, 38 s with 3).
    maxWorkers: 3,
    projects: [
      // In-process tests of src/: they import the sources and need no build.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'] } },
      // Tests of the built CLI and of the install; the bundle is rebuilt first.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/install/**/*.test.ts'], globalSetup: ['test/helpers/bundle-setup.ts'] } },
      // The PostgreSQL backend's own tests against a private cluster (they skip without PostgreSQL).
      { extends: true, test: { name: 'postgres', include: ['test/postgres/**/*.test.ts'], globalSetup: ['test/helpers/bundle-setup.ts', 'test/helpers/postgres-setup.ts'] } },
      // The same command suites again, every temp store in PostgreSQL.
      ...(hasPostgres
        ? [
            { extends: true as const, test: { name: 'unit-pg', include: ['test/cli/**/*.test.ts'], exclude: DIRECTORY_ONLY_FILES, env: pgEnv, setupFiles: ['test/helpers/directory-only-setup.ts'], globalSetup: ['test/helpers/postgres-setup.ts'] } },
            { extends: true as const, test: { name: 'e2e-pg', include: PG_E2E, env: pgEnv, setupFiles: ['test/helpers/directory-only-setup.ts'], globalSetup: ['test/helpers/bundle-setup.ts', 'test/helpers/postgres-setup.ts'] } },
          ]
        : []),
    ],
  },
});
