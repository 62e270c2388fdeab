// Opening the store: SQLite (better-sqlite3) by default, PostgreSQL (pg Pool) when the URL says so.
// Both sit behind the same Kysely<Database>, so repositories are written once.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.js';
import { describeTarget, resolveStoreTarget } from './database-target.js';
import type { StoreLocation } from './database-target.js';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export type Store = {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Idempotent; the Kysely instance is unusable afterwards. */
  close(): Promise<void>;
};

export interface OpenStoreOptions extends StoreLocation {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Errors of idle pooled PostgreSQL connections (e.g. the server restarted). Default: ignored, the next query fails and is retried. */
  onPoolError?: (error: Error) => void;
}

const PG_INT8 = 20;

export function openStore(opts: OpenStoreOptions): Store {
  const target = resolveStoreTarget(opts);
  if (target.kind === 'sqlite') return wrap(openSqlite(target.file), 'sqlite');

  const pool = new pg.Pool({
    connectionString: target.url,
    max: opts.poolSize ?? 10,
    // An unreachable server must fail /readyz and the webhook's 503 path quickly, not hang.
    connectionTimeoutMillis: 5_000,
    // bigint columns (auto ids, counts, occurred_at ms) fit in a JS number; the default parser returns strings.
    // Set per pool, not on pg.types, so other pg users in the process are unaffected.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8 && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle client's error (server restart) would crash the process.
  pool.on('error', (error) => opts.onPoolError?.(error));
  // The pool listens only while a client is idle; a checked-out client that loses its server (restart,
  // admin termination) between queries would otherwise emit an unhandled 'error' and kill the process.
  // Its next query fails instead, and the job is retried.
  pool.on('connect', (client) => client.on('error', (error) => opts.onPoolError?.(error)));
  return wrap(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}

function openSqlite(file: string): Kysely<Database> {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new BetterSqlite3(file, { timeout: 5_000 });
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
}

function wrap(db: Kysely<Database>, dialect: StoreDialect): Store {
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect,
    close: () => (closing ??= db.destroy()),
  };
}

/** "sqlite data/baton.db" / "postgres 127.0.0.1:5432/test": for logs, never credentials. */
export function describeStore(opts: StoreLocation): string {
  return describeTarget(resolveStoreTarget(opts));
}

/** Rejects when the database cannot answer within `timeoutMs` (used by /readyz and the webhook 503 path). */
export async function pingStore(store: Store, timeoutMs = 3_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(store.db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
