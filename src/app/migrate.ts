/**
 * `store migrate --from SRC --to DST`: a whole store copied between any two backends
 * (directory ↔ PostgreSQL, or two of one kind) through the storage interface, with the
 * walk and the restore of backup.ts, so there is one copier. The bytes are copied as
 * they are: the passphrase and every token keep working on the copy.
 *
 * The source is proved with the owner passphrase first (which also finishes any
 * lifecycle change a crash interrupted, so no half-done step is copied) and checked
 * whole before the first write; the destination must be empty (or hold only what an
 * interrupted migrate of the same store left). The copy is then verified: every vault
 * opens with the owner key and every audit log verifies with its keys.
 */
import { IntegrityError, NotFoundError, UsageError } from '../core/errors.js';
import type { StorageBackend } from '../store/backend.js';
import { verifyVisibleAudit } from './audit.js';
import { checkEntries, collect, restoreContents } from './backup.js';
import { openSession } from './open-session.js';

/** What a migration copied. */
export interface MigrateResult {
  from: string;
  to: string;
  agents: string[];
  objects: number;
  logs: number;
}

/** Copies the store `from` into the empty store `to`, verifies the copy, and records `store.migrate` in the copy's log. */
export async function migrateStore(from: StorageBackend, to: StorageBackend, passphrase: () => Promise<string>, now: () => Date, warn: (message: string) => void): Promise<MigrateResult> {
  if (from.location === to.location) throw new UsageError('--from and --to name the same store', 'give a new, empty store as --to');
  if (!(await from.isInitialised())) throw new NotFoundError(`no agent-vault store at ${from.location}`, 'give the store to copy as --from');
  const notEmpty = (): UsageError => new UsageError(`the store ${to.location} is not empty, nothing was copied`, 'migrate into a new, empty store: a new directory, or a new schema= or store= of the database');
  if (await to.isInitialised()) throw notEmpty();
  const owner = await passphrase();
  const source = await openSession({ store: from, passphrase: owner, now, warn });
  await source.rootKey();
  const contents = checkEntries(await collect(from));
  await restoreContents(to, contents, async () => owner, notEmpty);
  const copy = await openSession({ store: to, passphrase: owner, now, warn });
  for (const agent of contents.agents) await copy.unlock(agent);
  const broken = (await verifyVisibleAudit(copy)).find((result) => result.problems.length > 0);
  if (broken) {
    const [first] = broken.problems;
    throw new IntegrityError(`the copy in ${to.location} does not verify: ${broken.file}${first!.line === undefined ? '' : ` line ${first!.line}`}: ${first!.message}`, 'the source is unchanged; migrate into another empty store');
  }
  await copy.audit.recordStore({ agent: '', action: 'store.migrate', reason: `copied from ${from.location}` });
  return { from: from.location, to: to.location, agents: contents.agents, objects: contents.objects.length, logs: contents.logs.length };
}
