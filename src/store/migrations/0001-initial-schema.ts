// The first schema. Portable types only (text, integer, bigint); the one dialect difference is how
// an auto-increment primary key is spelled.
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../database.js';

export function initialSchema(dialect: StoreDialect): Migration {
  const withAutoId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === 'postgres'
      ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<any>): Promise<void> {
      await withAutoId(db.schema.createTable('inbox_events'))
        .addColumn('identity', 'text', (c) => c.notNull().unique())
        .addColumn('crm', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('deal_id', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('inbox_events_crm_deal').on('inbox_events').columns(['crm', 'deal_id']).execute();
      // Sweeping events stored but never routed (e.g. the queue add failed after the insert).
      await db.schema
        .createIndex('inbox_events_status_received')
        .on('inbox_events')
        .columns(['status', 'received_at'])
        .execute();

      await db.schema
        .createTable('handoffs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('crm', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('deal_id', 'text', (c) => c.notNull())
        .addColumn('mapping', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('deal_name', 'text')
        .addColumn('document', 'text')
        .addColumn('complete', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('missing', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('plan', 'text')
        .addColumn('deal', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addUniqueConstraint('handoffs_crm_deal_mapping', ['crm', 'deal_id', 'mapping'])
        .execute();
      await db.schema.createIndex('handoffs_status_updated').on('handoffs').columns(['status', 'updated_at']).execute();
      // Keyset pagination (newest first) with id as the tie-breaker.
      await db.schema.createIndex('handoffs_created').on('handoffs').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('handoffs_mapping_created')
        .on('handoffs')
        .columns(['mapping', 'created_at', 'id'])
        .execute();

      await db.schema
        .createTable('handoff_steps')
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('permanent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('external_ids', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('handoff_steps_pk', ['handoff_id', 'step_id'])
        .execute();

      await withAutoId(db.schema.createTable('audit_events'))
        .addColumn('handoff_id', 'text', (c) => c.references('handoffs.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('data', 'text')
        .execute();
      await db.schema.createIndex('audit_events_handoff').on('audit_events').columns(['handoff_id', 'at', 'id']).execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at']).execute();

      await withAutoId(db.schema.createTable('dry_run_records'))
        .addColumn('handoff_id', 'text', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dry_run_records_handoff').on('dry_run_records').columns(['handoff_id', 'id']).execute();
      await db.schema
        .createIndex('dry_run_records_connector_action')
        .on('dry_run_records')
        .columns(['connector', 'action'])
        .execute();

      await db.schema
        .createTable('cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
