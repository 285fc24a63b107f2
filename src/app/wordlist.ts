/**
 * The EFF large word list for passphrases, shipped in the package's `data/` directory
 * (CC BY 3.0 US, see data/README.md). Read only when a passphrase is asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError } from '../core/errors.js';
import { parseWordList } from '../core/generator.js';
import { packageRoot } from './package-root.js';


/** The 7,776 words of the EFF large list; a missing or altered file is exit 6. */
export function loadWordList(): string[] {
  let text: string;
  try {
    text = readFileSync(join(packageRoot(), 'data', 'eff-large-wordlist.txt'), 'utf8');
  } catch {
    throw new IntegrityError('the word list for passphrases is missing', 'reinstall agent-vault');
  }
  return parseWordList(text);
}
