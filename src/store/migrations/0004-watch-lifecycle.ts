// Watching, truthfully over time (issue 11, items 2 and 13):
// - task_status.tool_updated_at: when the tool last changed the task (Jira `updated`, Asana `modified_at`,
//   else the webhook's time), so an older read or delivery never overwrites newer state;
// - task_status.revision: bumped on every write; a write commits only over the revision it was computed
//   from (compare-and-set), so two workers observing the same change record it once;
// - task_status.deleted_at: the tool said the task is gone; it is no longer polled;
// - webhook_secrets.webhook: which Asana webhook a secret belongs to (one current secret per webhook).
// (The retention prune of inbox_events walks 0001's index on (status, received_at).)
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../database.js';

export function watchLifecycleSchema(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('task_status').addColumn('tool_updated_at', 'text').execute();
      await db.schema.alterTable('task_status').addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('task_status').addColumn('deleted_at', 'text').execute();

      await db.schema.alterTable('webhook_secrets').addColumn('webhook', 'text', (c) => c.notNull().defaultTo('')).execute();
      // Secrets that piled up per handshake: only the newest of each webhook stays current.
      await sql`delete from webhook_secrets where id not in (select max(id) from webhook_secrets group by source, webhook)`.execute(db);
      await db.schema.createIndex('webhook_secrets_current').on('webhook_secrets').columns(['source', 'webhook']).unique().execute();
    },
  };
}
