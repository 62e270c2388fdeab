// The store's public surface, for callers that prefer one import.
export * from './database.js';
export { resolveStoreTarget, describeTarget } from './database-target.js';
export type { StoreLocation, StoreTarget } from './database-target.js';
export { migrateToLatest, storeMigrations } from './migrations.js';
export type * from './schema.js';
export * from './inbox-repo.js';
export * from './handoff-repo.js';
export * from './step-repo.js';
export * from './audit-repo.js';
export * from './dry-run-repo.js';
export * from './cursor-repo.js';
