/**
 * What the broker tests share: a local HTTPS echo server for the tests of a file, the
 * brokered credential and the service on that server they set up.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { EchoServer } from './echo-server.js';
import type { TempStoreBase } from './temp-store.js';

type AnyStore = TempStoreBase<{ env?: NodeJS.ProcessEnv; input?: string }, { code: number | null; stdout: string; stderr: string }>;

/** An echo server for the tests of the calling file or describe block: started before them, stopped after. */
export function useEchoServer(): EchoServer {
  const server = new EchoServer();
  beforeAll(async () => {
    await server.start();
  });
  afterAll(() => server.stop());
  return server;
}

/** Adds credential `key` holding `value` to `agent`'s vault, with the reveal policy brokered (as the owner). */
export async function addBrokered(store: AnyStore, agent: string, key: string, value: string): Promise<void> {
  const added = await store.owner(['credential', 'add', key, '--value-stdin', '--reveal-policy', 'brokered', '--agent', agent], { input: value });
  expect(added.code, added.stderr).toBe(0);
}

/**
 * Adds service `name` (default `echo`) to `agent`'s vault for the echo server on
 * 127.0.0.1 (so `--allow-private`), attaching `credential` as a bearer token; `extra`
 * adds options of `service add` (`--methods GET`).
 */
export async function addEchoService(store: AnyStore, server: EchoServer, options: { agent: string; credential: string; name?: string; extra?: string[] }): Promise<void> {
  const args = ['service', 'add', options.name ?? 'echo', '--agent', options.agent, '--host', `127.0.0.1:${server.port}`, '--credential', options.credential, '--auth', 'bearer', ...(options.extra ?? []), '--allow-private'];
  const added = await store.owner(args);
  expect(added.code, added.stderr).toBe(0);
}
