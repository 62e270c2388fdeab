// The watching tables (issue #4): escalation checks, fired rungs (UNIQUE per handoff+trigger+rung+round:
// the real guard that no rung fires twice), live task status, feedback requests, webhook dedupe and
// Asana webhook secrets. Portable types only, like 0001.
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../database.js';

export function watchingSchema(dialect: StoreDialect): Migration {
  const withAutoId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === 'postgres'
      ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<any>): Promise<void> {
      // An integer id too: a check's job carries only [id, rung, round], which keeps each pending job small in Redis.
      await withAutoId(db.schema.createTable('watch_checks'))
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('trigger_id', 'text', (c) => c.notNull())
        .addColumn('mapping', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('rung', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('last_fired_at', 'text')
        .addColumn('acked_by', 'text')
        .addColumn('acked_at', 'text')
        .addColumn('snoozed_by', 'text')
        .addColumn('snoozed_until', 'text')
        .addColumn('note', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('watch_checks_handoff_trigger', ['handoff_id', 'trigger_id'])
        .execute();
      // The sweep that re-adds lost jobs, and the dashboard's "what is stalled" view.
      await db.schema.createIndex('watch_checks_status_due').on('watch_checks').columns(['status', 'due_at']).execute();

      await withAutoId(db.schema.createTable('escalations'))
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('trigger_id', 'text', (c) => c.notNull())
        .addColumn('rung', 'integer', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('channel', 'text')
        .addColumn('message_ts', 'text')
        .addColumn('notified', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('snoozed_by', 'text')
        .addColumn('snoozed_at', 'text')
        .addUniqueConstraint('escalations_rung', ['handoff_id', 'trigger_id', 'rung', 'round'])
        .execute();
      await db.schema.createIndex('escalations_claimed').on('escalations').columns(['claimed_at']).execute();

      await db.schema
        .createTable('task_status')
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('external_key', 'text')
        .addColumn('url', 'text')
        .addColumn('status_name', 'text')
        .addColumn('category', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('assignee', 'text')
        .addColumn('due_date', 'text')
        .addColumn('started_at', 'text')
        .addColumn('done_at', 'text')
        .addColumn('observed_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_status_pk', ['handoff_id', 'task_id'])
        .execute();
      // Webhooks name the tool's issue / task, not the handoff.
      await db.schema.createIndex('task_status_external').on('task_status').columns(['tool', 'external_id']).execute();
      await db.schema.createIndex('task_status_key').on('task_status').columns(['tool', 'external_key']).execute();

      await db.schema
        .createTable('feedback_requests')
        .addColumn('handoff_id', 'text', (c) => c.primaryKey().references('handoffs.id').onDelete('cascade'))
        .addColumn('mapping', 'text', (c) => c.notNull())
        .addColumn('ask_role', 'text', (c) => c.notNull())
        .addColumn('ask_email', 'text')
        .addColumn('rep_email', 'text')
        .addColumn('questions', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('asked_at', 'text')
        .addColumn('reminded_at', 'text')
        .addColumn('answered_at', 'text')
        .addColumn('answered_by', 'text')
        .addColumn('answers', 'text')
        .addColumn('accuracy', 'integer')
        .addColumn('wrong_sections', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feedback_requests_status').on('feedback_requests').columns(['status', 'answered_at']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_deliveries_pk', ['source', 'delivery_id'])
        .execute();
      await db.schema.createIndex('webhook_deliveries_received').on('webhook_deliveries').columns(['received_at']).execute();

      await withAutoId(db.schema.createTable('webhook_secrets'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('webhook_secrets_source_secret', ['source', 'secret'])
        .execute();
    },
  };
}
