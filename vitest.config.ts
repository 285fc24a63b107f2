import { defineConfig } from 'vitest/config';

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
    ],
  },
});
