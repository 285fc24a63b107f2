/**
 * The files side of a broker run (`exec --broker`, `proxy`): a private directory for the
 * CA bundle, made before the run and removed with everything in it when the run ends,
 * whether the child exits, agent-vault is interrupted, or it exits another way. Only the
 * CA certificate (and public roots) is ever written: the CA's private key never leaves
 * memory (app/broker/certificates.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '../app/session.js';
import type { BrokerRun } from '../app/broker/run.js';
import { writeNewFile } from '../store/atomic.js';

/** A started run and how to end it (idempotent). */
export interface StartedRun {
  run: BrokerRun;
  caFile: string;
  stop(): Promise<void>;
}

/** Starts the broker's server for `agent`'s services, and writes its CA bundle. */
export async function startBrokerRun(session: Session, agent: string, options: { upstreamCa?: string; denyUnmatched: boolean; port?: number }): Promise<StartedRun> {
  const { openBrokerRun } = await import('../app/broker/run.js');
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-broker-'));
  const caFile = join(dir, 'ca.pem');
  const removeFiles = (): void => rmSync(dir, { recursive: true, force: true });
  // A last resort for an exit that skips `stop` (an uncaught error, process.exit).
  process.once('exit', removeFiles);
  let run: BrokerRun;
  try {
    run = await openBrokerRun(session, agent, { caFile, ...options });
    writeNewFile(caFile, Buffer.from(run.caBundle));
  } catch (err) {
    removeFiles();
    process.off('exit', removeFiles);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    run,
    caFile,
    stop: () =>
      (stopped ??= run.close().finally(() => {
        removeFiles();
        process.off('exit', removeFiles);
      })),
  };
}
