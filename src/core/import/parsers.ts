/**
 * Every parser and export encoder, the one module `app/import.ts` and `app/export.ts`
 * load for them. The CLI bundle keeps it in a file of its own (`dist/import-parsers.cjs`,
 * see scripts/bundle.mjs), loaded only by `import` and `export`, so their code costs
 * `credential get` nothing at start-up. `exec --env-file` loads it too, for dotenv's parser.
 */
export { parseDotenvImport, encodeDotenv, readDotenvAssignments, type DotenvAssignment } from './dotenv.js';
export { parseJsonExport, encodeJsonExport } from './json.js';
export { parseBitwardenJson } from './bitwarden.js';
export { parseKeepassxcCsv } from './keepassxc-csv.js';
export { parseOnePasswordCsv } from './onepassword-csv.js';
export { parseOtpauth } from './otpauth.js';
export { parseKdbx } from './kdbx.js';
export { parsePassEntries } from './pass.js';
