import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn many CLI processes; two cores run two files at a time well.
    maxWorkers: 2,
    projects: [
      // In-process tests of src/: they import the sources and need no build.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'] } },
      // Tests of the built CLI and of the install; the bundle is rebuilt first.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/install/**/*.test.ts'], globalSetup: ['test/helpers/bundle-setup.ts'] } },
    ],
  },
});
