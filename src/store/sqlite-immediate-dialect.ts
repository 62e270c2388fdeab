// SQLite dialect for several processes sharing one file (`baton server` + N `baton worker`):
// - transactions start with BEGIN IMMEDIATE. A plain (deferred) BEGIN takes the write lock only at the
//   first write; in WAL mode a transaction that read first then fails with SQLITE_BUSY instead of
//   waiting busy_timeout. Taking the lock up front makes concurrent writers queue instead of erroring.
// - the adapter declares transactional DDL (SQLite has it; Kysely's stock adapter says no), so
//   Kysely's Migrator runs all pending migrations in one such transaction: that write lock is the
//   cross-process migration lock, and a failed migration rolls back whole.
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
