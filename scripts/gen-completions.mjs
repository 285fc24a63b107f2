// Writes completions/ from the built program (dist/), so the committed scripts cover
// every command: run by `npm run build` after the bundle, and checked by a test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/cli/program.js';
import { testIO } from '../dist/cli/io.js';
import { COMPLETION_FILES, SHELLS, completionScript } from '../dist/cli/completion.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const program = buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: false, version: '0.0.0' });
for (const shell of SHELLS) {
  const file = join(root, COMPLETION_FILES[shell]);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, completionScript(program, shell));
}
