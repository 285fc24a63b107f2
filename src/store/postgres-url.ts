/**
 * `postgres://` store locations, read the way libpq reads a connection URI
 * (`postgres://user@host:port/db?host=/run/postgresql&port=5433&sslmode=require`), plus
 * two parameters of ours: `schema` (where the tables are, default `agent_vault`) and
 * `store` (which store of the schema, default `default`), so one database can hold
 * several stores. Unset parts come from PGHOST, PGPORT, PGUSER and PGDATABASE, as libpq
 * takes them. The password is never part of the URL (a URL is printed in messages and
 * may be typed on a command line); it comes from PGPASSWORD or a PGPASSFILE
 * (`~/.pgpass` by default), as libpq reads them.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Whether a store location is a PostgreSQL URL rather than a directory. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location);
}

/** What a PostgreSQL store location names. */
export interface PostgresLocation {
  /** A host name, or the directory of a Unix socket (it starts with `/`). */
  host: string;
  port: number;
  database: string;
  user: string;
  schema: string;
  store: string;
  /** `disable` (the default on a socket), `require` or `verify-full`. */
  sslmode: 'disable' | 'prefer' | 'require' | 'verify-full';
  /** The location as messages show it, and as the rollback cache names the store: never a password. */
  display: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
const STORE = /^[a-z0-9_-]{1,64}$/;
const KNOWN = new Set(['host', 'port', 'dbname', 'user', 'sslmode', 'schema', 'store', 'connect_timeout', 'application_name']);

function bad(_location: string, why: string): UsageError {
  return new UsageError(`not a usable PostgreSQL store URL (${why})`, 'write it as postgres://[user@][host][:port]/database[?host=/socket/dir&schema=NAME&store=NAME]; see agent-vault(5), POSTGRESQL');
}

/** Parses a `postgres://` location; any problem is exit 2, naming what is wrong but never echoing a password. */
export function parsePostgresUrl(location: string, env: NodeJS.ProcessEnv): PostgresLocation {
  // libpq allows an empty host after a user (`postgres://user@/db`), which WHATWG URLs
  // refuse: the authority is read here, and the rest (path, query) by URL.
  const parts = /^postgres(?:ql)?:\/\/([^/?#]*)(.*)$/is.exec(location);
  if (!parts) throw bad(location, 'it does not parse as a URL');
  const authority = parts[1]!;
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const hostport = at < 0 ? authority : authority.slice(at + 1);
  if (userinfo.includes(':')) {
    throw new UsageError('a PostgreSQL store URL must not hold a password', 'remove it from the URL and put it in PGPASSFILE (~/.pgpass) or PGPASSWORD');
  }
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!hostMatch) throw bad(location, 'the host and port do not parse');
  let url: URL;
  try {
    url = new URL(`postgres://placeholder${parts[2]!}`);
  } catch {
    throw bad(location, 'it does not parse as a URL');
  }
  const urlUser = userinfo;
  const urlHost = hostMatch[1]!.replace(/^\[(.*)\]$/, '$1');
  const urlPort = hostMatch[2] ?? '';
  const params = url.searchParams;
  for (const name of params.keys()) if (!KNOWN.has(name)) throw bad(location, `unknown parameter ${JSON.stringify(name)}`);
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw bad(location, 'a part is not valid percent-encoding');
    }
  };
  const host = params.get('host') ?? (urlHost !== '' ? decode(urlHost) : undefined) ?? env.PGHOST ?? 'localhost';
  const portText = params.get('port') ?? (urlPort !== '' ? urlPort : undefined) ?? env.PGPORT ?? '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(location, 'the port is not a number from 1 to 65535');
  const user = params.get('user') ?? (urlUser !== '' ? decode(urlUser) : undefined) ?? env.PGUSER ?? userInfo().username;
  const database = params.get('dbname') ?? (url.pathname.length > 1 ? decode(url.pathname.slice(1)) : undefined) ?? env.PGDATABASE ?? user;
  const schema = params.get('schema') ?? 'agent_vault';
  if (!SCHEMA.test(schema)) throw bad(location, 'schema must be a lowercase SQL name: letters, digits and _');
  const store = params.get('store') ?? 'default';
  if (!STORE.test(store)) throw bad(location, 'store must be 1 to 64 of a-z, 0-9, _ and -');
  const sslmode = (params.get('sslmode') ?? (host.startsWith('/') ? 'disable' : 'prefer')) as PostgresLocation['sslmode'];
  if (!['disable', 'prefer', 'require', 'verify-full'].includes(sslmode)) throw bad(location, 'sslmode must be disable, prefer, require or verify-full');
  const hostPart = host.startsWith('/') ? '' : host.includes(':') ? `[${host}]` : host;
  const query = new URLSearchParams({ ...(host.startsWith('/') ? { host } : {}), ...(port !== 5432 ? { port: String(port) } : {}), schema, store });
  const display = `postgres://${encodeURIComponent(user)}@${hostPart}/${encodeURIComponent(database)}?${query.toString().replaceAll('%2F', '/')}`;
  return { host, port, database, user, schema, store, sslmode, display };
}

/** One field of a .pgpass line: `*` matches anything; `\:` and `\\` are escapes. */
function splitPgpassLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) field += line[++i]!;
    else if (c === ':' && fields.length < 4) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * The database password: PGPASSWORD, else the first matching line of PGPASSFILE
 * (default ~/.pgpass), which libpq ignores unless it is 0600 or stricter; undefined
 * when neither has one (trust or peer authentication).
 */
export function databasePassword(where: PostgresLocation, env: NodeJS.ProcessEnv): string | undefined {
  if (env.PGPASSWORD !== undefined) return env.PGPASSWORD;
  const file = env.PGPASSFILE ?? join(env.HOME || homedir(), '.pgpass');
  let text: string;
  try {
    // A file others can read is ignored, as libpq does: the password would not be secret.
    if ((statSync(file).mode & 0o077) !== 0) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const host = where.host.startsWith('/') ? 'localhost' : where.host;
  const wanted = [host, String(where.port), where.database, where.user];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitPgpassLine(line.replace(/\r$/, ''));
    if (fields.length !== 5) continue;
    if (wanted.every((value, i) => fields[i] === '*' || fields[i] === value)) return fields[4];
  }
  return undefined;
}
