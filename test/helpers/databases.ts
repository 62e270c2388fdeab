// Real databases for integration tests: every store test runs against SQLite and PostgreSQL.
// SQLite: a fresh temp dir. PostgreSQL: a fresh database baton_t_<random> on TEST_DATABASE_URL,
// dropped by cleanup(). Both come back migrated unless asked otherwise.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type Store, type StoreDialect } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrations.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  /** What to put in DATABASE_URL to reach the same database (e.g. from a child process). */
  databaseUrl: string;
  /** A temp dir owned by this test store (SQLite keeps baton.db here); removed by cleanup(). */
  dataDir: string;
  /** Another connection (pool) to the same database; closed by cleanup(). */
  openAnother(): Store;
  /** Closes every store opened here, then drops the database / removes the temp dir. */
  cleanup(): Promise<void>;
}

export interface StoreBackend {
  name: StoreDialect;
  open(opts?: { migrate?: boolean }): Promise<TestStore>;
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function tracked(databaseUrl: string, dataDir: string, dropDatabase: () => Promise<void>) {
  const opened: Store[] = [];
  const openAnother = () => {
    const s = openStore({ databaseUrl, dataDir });
    opened.push(s);
    return s;
  };
  const cleanup = async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await dropDatabase();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { openAnother, cleanup };
}

/** Opens the first store and migrates it; drops everything again if that fails, so nothing leaks. */
async function ready(
  openAnother: () => Store,
  cleanup: () => Promise<void>,
  databaseUrl: string,
  dataDir: string,
  migrate: boolean,
): Promise<TestStore> {
  try {
    const store = openAnother();
    if (migrate) await migrateToLatest(store);
    return { store, databaseUrl, dataDir, openAnother, cleanup };
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}

async function openSqlite(migrate: boolean): Promise<TestStore> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baton-store-'));
  const databaseUrl = `sqlite:${path.join(dataDir, 'baton.db')}`;
  const { openAnother, cleanup } = tracked(databaseUrl, dataDir, async () => {});
  return ready(openAnother, cleanup, databaseUrl, dataDir, migrate);
}

async function openPostgres(migrate: boolean): Promise<TestStore> {
  const name = `baton_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baton-store-'));
  const { openAnother, cleanup } = tracked(databaseUrl, dataDir, () =>
    withAdminClient(async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
    }),
  );
  return ready(openAnother, cleanup, databaseUrl, dataDir, migrate);
}

export function storeBackends(): StoreBackend[] {
  return [
    { name: 'sqlite', open: (opts) => openSqlite(opts?.migrate ?? true) },
    { name: 'postgres', open: (opts) => openPostgres(opts?.migrate ?? true) },
  ];
}
