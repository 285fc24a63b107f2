/**
 * Agent isolation below the CLI: with its token and every file of the store, an agent
 * opens only what was granted to it. This reads the store through the library (Session
 * and the format modules), not through the CLI, so it is not one of the in-process
 * command tests of test/cli/grant.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { openSession } from '../../src/app/open-session.js';
import { parseToken } from '../../src/core/token.js';
import { openGrant, parseGrantFile } from '../../src/format/grant-file.js';
import { parseKeyCertificate } from '../../src/format/key-certificate.js';
import { openVault, unwrapTokenSlot } from '../../src/format/vault-file.js';
import { AccessDeniedError } from '../../src/core/errors.js';

const VALUE = 'granted-value-6f1c';
const OTHER = 'ungranted-value-4d2e';

describe('grants between agents', () => {
  let store: TempStore;
  let bot2: string;
  const grantFile = (to: string, key = 'API_KEY'): string => join(store.dir, 'grants', to, `bot1.${key}.grant`);

  beforeEach(async () => {
    ({ store } = await TempStore.withAgent('bot1'));
    bot2 = await store.provision('bot2');
    await store.provision('bot3');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot1'], { input: OTHER })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('isolates agents below the CLI: with its token and the store, bot2 opens only what was granted to it', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    await store.owner(['grant', 'OTHER', '--to', 'bot3', '--agent', 'bot1']);
    const session = await openSession({ store: store.dir, token: bot2 });
    await expect(session.unlock('bot1')).rejects.toBeInstanceOf(AccessDeniedError);

    // The keys themselves: bot2's token opens no slot of bot1's vault, and neither does its vault key.
    const own = await session.unlock('bot2');
    const bot1File = (await session.readVaultFile('bot1')).file;
    expect(unwrapTokenSlot(parseToken(bot2).secret, 'bot1', bot1File.header.token)).toBeUndefined();
    expect(() => openVault(bot1File, own.vaultKey)).toThrow();

    // Its private key opens the grant addressed to it, and no other.
    const granterKey = parseKeyCertificate(readFileSync(join(store.dir, 'keys', 'bot1.pub'))).publicKey;
    expect(openGrant(parseGrantFile(readFileSync(grantFile('bot2'))), own.payload.privateKey, granterKey)?.toString()).toContain(VALUE);
    expect(openGrant(parseGrantFile(readFileSync(grantFile('bot3', 'OTHER'))), own.payload.privateKey, granterKey)).toBeUndefined();
  });
});
