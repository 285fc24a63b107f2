/**
 * The `pg` client class, alone in a module so that the CLI bundle can load it from a
 * bundle of its own (dist/pg-driver.cjs, see scripts/bundle.mjs): one file parses about
 * twice as fast as pg's many, and only a `postgres://` store loads it at all.
 */
import pg from 'pg';

export const Client = pg.Client;
