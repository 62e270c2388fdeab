// Baton's own record of each watching-path chat post (escalations and their replies, DMs, client updates):
// one row per idempotency key, claimed before the post, saying whether a post request ever went out and
// which message it made. It is the first line of idempotency for these posts (connectors/slack searches
// channel history only for a post whose earlier request may have gone out and left no ts). Portable types only.
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../database.js';

export function chatPostsSchema(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('chat_posts')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('attempted_at', 'text')
        .addColumn('channel', 'text')
        .addColumn('message_ts', 'text')
        .addColumn('thread_ts', 'text')
        .addColumn('posted_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chat_posts_handoff').on('chat_posts').columns(['handoff_id']).execute();
    },
  };
}
