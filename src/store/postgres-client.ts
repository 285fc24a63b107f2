/**
 * One connection to PostgreSQL for one backend, through the `pg` package (pure
 * JavaScript), which is imported only when the first query is made (pg-driver.ts), so a
 * directory store never loads it. Transactions nest as savepoints within one async flow
 * (AsyncLocalStorage tells a nested call from a concurrent one, which waits its turn).
 *
 * The socket keeps the process alive only while a query is under way: a CLI run ends
 * when its work does, without a close call on every path; `close()` ends it at once.
 *
 * Every failure of the server or of the connection becomes one {@link VaultError}
 * with a hint and the exit code SPEC.md gives it (see {@link explainPgError}).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client, QueryResult, QueryResultRow } from 'pg';
import { AccessDeniedError, AuthError, BusyError, NotFoundError, VaultError } from '../core/errors.js';
import type { PostgresLocation } from './postgres-url.js';
import { databasePassword } from './postgres-url.js';
import { faultPoint } from './fault.js';

/** The SQLSTATE of a missing table or schema: the store was never initialised there. */
export const UNDEFINED_TABLE = new Set(['42P01', '3F000']);

/** A query that failed on the server, with its SQLSTATE; the message is PostgreSQL's own. */
interface PgError extends Error {
  code?: string;
}

/** What a run of statements inside a transaction knows of it. */
interface TxState {
  depth: number;
  /** What to do once the outermost transaction committed (shared by its savepoints). */
  committed: Array<() => void>;
  /** The connection broke inside it: nothing of it committed, and nothing more can run. */
  broken: boolean;
}

/** Turns a failure of `pg` or of the server into the error a user sees. */
export function explainPgError(err: unknown, where: PostgresLocation, during: 'connect' | 'query' | 'commit'): VaultError {
  if (err instanceof VaultError) return err;
  const e = err as PgError;
  const code = e.code ?? '';
  const at = where.display;
  if (['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', '57P03'].includes(code) || (during === 'connect' && /timeout/i.test(e.message))) {
    return new BusyError(`the PostgreSQL server of ${at} cannot be reached (${code || 'timeout'})`, 'check that it runs and that host and port (or the socket directory) are right; nothing was changed');
  }
  if (code === '3D000') return new NotFoundError(`the database ${where.database} does not exist on the PostgreSQL server of ${at}`, `create it (createdb ${where.database}), then: agent-vault init --store '${at}'`);
  if (code === '28P01' || code === '28000') return new AuthError(`PostgreSQL refused the login of role ${where.user} for ${at}`, 'check the password in PGPASSFILE (~/.pgpass) or PGPASSWORD, and pg_hba.conf');
  if (code === '42501') return new AccessDeniedError(`PostgreSQL denied role ${where.user} an operation on ${at}: ${e.message}`, 'ask the database operator for the grants agent-vault(5) lists under POSTGRESQL');
  if (code === '40P01' || code === '40001' || code === '55P03' || code === '53300') {
    return new BusyError(`the PostgreSQL store ${at} is busy (${e.message})`, 'try again; nothing of this command was committed');
  }
  if (UNDEFINED_TABLE.has(code)) return new NotFoundError(`no agent-vault store at ${at}`, `create one with: agent-vault init --store '${at}'`);
  if (code.startsWith('57P') || code.startsWith('08') || /connection terminated|ECONNRESET|EPIPE|not queryable|Connection terminated/i.test(`${code} ${e.message}`)) {
    const outcome = during === 'commit' ? 'it either committed whole or not at all: check before writing again' : 'nothing of this command was committed';
    return new BusyError(`the connection to the PostgreSQL server of ${at} was lost mid-command; ${outcome}`, 'try again once the server is back');
  }
  return new VaultError(`PostgreSQL failed on ${at}: ${code ? `${code} ` : ''}${e.message}`, 'run again with AGENT_VAULT_DEBUG=1, or ask the database operator');
}

/** A lazily opened connection with nested transactions. */
export class PgConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private inFlight = 0;
  private readonly tx = new AsyncLocalStorage<TxState>();
  /** Top-level transactions of this connection, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Statements, one at a time: `pg` wants no second query sent while one runs. */
  private statements: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly where: PostgresLocation,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const { Client: PgClient } = await import('./pg-driver.js');
      const { host, port, database, user, sslmode } = this.where;
      const password = databasePassword(this.where, this.env);
      const client = new PgClient({
        host,
        port,
        database,
        user,
        ...(password === undefined ? {} : { password }),
        ...(sslmode === 'require' || sslmode === 'prefer' ? { ssl: { rejectUnauthorized: false } } : sslmode === 'verify-full' ? { ssl: true } : {}),
        connectionTimeoutMillis: 10_000,
        application_name: 'agent-vault',
      });
      // A server that goes away between queries must not crash the process: the next query reports it.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (err) {
        // `prefer` falls back to no TLS where the server has none, as libpq does.
        if (sslmode === 'prefer' && /does not support SSL/i.test((err as Error).message)) {
          this.where.sslmode = 'disable';
          this.connecting = undefined;
          return this.connect();
        }
        this.connecting = undefined;
        throw explainPgError(err, this.where, 'connect');
      }
      this.client = client;
      this.socket()?.unref();
      return client;
    })();
    return this.connecting;
  }

  private socket(): { ref(): void; unref(): void } | undefined {
    return (this.client as unknown as { connection?: { stream?: { ref(): void; unref(): void } } } | undefined)?.connection?.stream;
  }

  /** Runs one statement (in the current transaction, if any). */
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    const state = this.tx.getStore();
    if (state?.broken) throw new BusyError(`the connection to the PostgreSQL server of ${this.where.display} was lost mid-command; nothing of this command was committed`, 'try again once the server is back');
    const client = await this.connect();
    // Every statement that changes something is a write point of the fault harness (reads and locks are not).
    if (!/^\s*(SELECT|SET)\b/i.test(sql)) faultPoint('sql', `${/^\s*(\w+(?: \w+)?)/.exec(sql)?.[1] ?? 'statement'} ${this.where.display}`);
    this.inFlight += 1;
    this.socket()?.ref();
    try {
      const result = this.statements.then(() => client.query<R>(sql, params));
      this.statements = result.catch(() => {});
      return await result;
    } catch (err) {
      const explained = explainPgError(err, this.where, 'query');
      if (state && explained instanceof BusyError && /lost mid-command/.test(explained.message)) state.broken = true;
      throw Object.assign(explained, { sqlstate: (err as PgError).code });
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.socket()?.unref();
    }
  }

  /** Runs `fn` now outside a transaction, else once the current transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void {
    const state = this.tx.getStore();
    if (state) state.committed.push(fn);
    else fn();
  }

  /** Whether the current async flow is inside a transaction whose connection broke (its rollback undoes everything). */
  get brokenTransaction(): boolean {
    return this.tx.getStore()?.broken === true;
  }

  /**
   * Runs `fn` in a transaction: a new one (waiting for this connection's current one to
   * end), or a savepoint inside the one this flow is already in. An error rolls back
   * what `fn` did and is rethrown; `setup` runs first in a new transaction only.
   */
  async transaction<T>(fn: () => Promise<T>, setup?: string): Promise<T> {
    const outer = this.tx.getStore();
    if (outer) {
      const name = `sp${outer.depth + 1}`;
      await this.query(`SAVEPOINT ${name}`);
      const inner: TxState = { depth: outer.depth + 1, broken: false, committed: outer.committed };
      try {
        const value = await this.tx.run(inner, fn);
        await this.query(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (err) {
        if (inner.broken) outer.broken = true;
        else await this.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
        throw err;
      }
    }
    const run = this.queue.then(async () => {
      const state: TxState = { depth: 0, broken: false, committed: [] };
      return this.tx.run(state, async () => {
        await this.query('BEGIN');
        let value: T;
        try {
          if (setup) await this.query(setup);
          value = await fn();
        } catch (err) {
          if (!state.broken) await this.query('ROLLBACK').catch(() => {});
          throw err;
        }
        try {
          await this.query('COMMIT');
        } catch (err) {
          // The COMMIT was sent: whether it reached the server is unknown.
          throw err instanceof BusyError ? explainPgError(Object.assign(new Error('Connection terminated'), { code: '08006' }), this.where, 'commit') : err;
        }
        for (const done of state.committed) done();
        return value;
      });
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Ends the connection (a test harness runs many commands in one process). */
  async close(): Promise<void> {
    const client = this.client;
    // Held while it closes: an unreferenced socket would let the process exit before the exit code is set.
    this.socket()?.ref();
    this.client = undefined;
    this.connecting = undefined;
    if (client) await client.end().catch(() => {});
  }
}
