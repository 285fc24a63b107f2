/**
 * `export`: every credential of one vault with every secret, for the owner only,
 * recorded as one `credential.export` event of that vault (as `credential list
 * --reveal` is one `credential.reveal`), encoded as JSON or as a `.env` file.
 */
import { credentialEnv } from '../core/env-vars.js';
import { listCredentials } from '../core/vault.js';
import { withParsers } from './import.js';
import type { Session } from './session.js';

/** `json` keeps everything; `dotenv` holds the variables `exec` would set. */
export type ExportFormat = 'json' | 'dotenv';

/** An export's text, and whether it left something of the vault out (dotenv keeps only values). */
export interface ExportedVault {
  text: string;
  lossy: boolean;
}

/**
 * The vault of `agent` as text. An agent token is refused (exit 5) before anything is
 * read; a dotenv value no quoting carries back is exit 2, naming its key.
 */
export async function exportVault(session: Session, agent: string, format: ExportFormat): Promise<ExportedVault> {
  session.requireOwner('exporting a vault');
  const credentials = await session.audit.audited(agent, 'credential.export', undefined, async () => listCredentials((await session.unlock(agent)).payload));
  const now = session.now().toISOString();
  if (format === 'json') return { text: await withParsers((p) => p.encodeJsonExport(agent, credentials, now)), lossy: false };
  const text = await withParsers((p) => p.encodeDotenv(credentials.flatMap((c) => credentialEnv(c)), `agent-vault export of the vault of agent ${agent}, ${now}`));
  const lossy = credentials.some((c) => c.type !== 'api_key' || c.name !== '' || c.tags.length > 0 || c.uris.length > 0);
  return { text, lossy };
}
