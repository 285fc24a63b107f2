/** The version `--version` prints: the installed package.json's. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../app/package-root.js';

export function cliVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
