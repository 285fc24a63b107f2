// Lint keeps the layers of DESIGN.md: core/ and format/ are pure (no I/O, no terminal).
import tseslint from 'typescript-eslint';

const impure = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:process', 'process', 'node:child_process', 'child_process', 'node:os', 'os', 'node:net', 'node:http', 'node:https'];
const terminal = ['chalk', 'cli-table3', 'commander', 'conf', 'argon2', '@inquirer/prompts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'completions/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The CommonJS entry point loads the CommonJS bundle; the build's shim defers a require.
    files: ['bin/*.cjs', 'scripts/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/format/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...impure, ...terminal].map((name) => ({ name, message: 'core/ and format/ stay pure: do I/O in store/ or cli/' })),
          patterns: [
            { group: ['**/cli/**', '**/store/**', '**/app/**'], message: 'core/ and format/ import neither cli/, store/ nor app/' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'core/ and format/ stay pure: no process' }],
    },
  },
);
