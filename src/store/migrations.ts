// Schema migrations, shipped in code (no migration files to locate at runtime, works from dist/ and tsx).
// Concurrent runs are safe: PostgreSQL serialises them with Kysely's advisory lock; on SQLite the
// migration transaction starts with BEGIN IMMEDIATE (see sqlite-immediate-dialect.ts), so a second
// process waits for the first and then finds nothing left to do.
import { Migrator } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import type { Store, StoreDialect } from './database.js';
import { initialSchema } from './migrations/0001-initial-schema.js';
import { watchingSchema } from './migrations/0002-watching.js';
import { dashboardSchema } from './migrations/0003-dashboard.js';
import { watchLifecycleSchema } from './migrations/0004-watch-lifecycle.js';
import { chatPostsSchema } from './migrations/0005-chat-posts.js';

/**
 * Append only: names sort in apply order; never edit a migration that has shipped. Pending migrations
 * run in one transaction on both databases, so SQLite table rebuilds that need `pragma foreign_keys=off`
 * must use `pragma defer_foreign_keys=on` instead (the former is ignored inside a transaction).
 */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-initial-schema': initialSchema(dialect),
    '0002-watching': watchingSchema(dialect),
    '0003-dashboard': dashboardSchema(dialect),
    '0004-watch-lifecycle': watchLifecycleSchema(dialect),
    '0005-chat-posts': chatPostsSchema(dialect),
  };
}

function provider(dialect: StoreDialect): MigrationProvider {
  return { getMigrations: async () => storeMigrations(dialect) };
}

/** Applies every pending migration; returns the names it applied (empty when already up to date). */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: provider(store.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration${failed ? ` ${failed}` : ''} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
