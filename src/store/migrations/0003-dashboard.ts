// What the dashboard reads often, made cheap (issue #5). Derived columns from the handoff's JSON
// (rep and lead emails, kickoff due date, missing-field count) so the handoffs board filters and sorts
// 10,000 handoffs without parsing JSON per row: PostgreSQL stores them (computed once per write),
// SQLite computes them on read and indexes them. Writers never set them; no repository changes.
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../database.js';

/** Derived column → JSON path inside `plan` (or the `missing` array length). Read by src/dashboard/queries. */
const PLAN_PATHS = {
  rep_email: ['people', 'sales_rep', 'email'],
  lead_email: ['people', 'project_lead', 'email'],
  kickoff_due: ['kickoffDue'],
} as const;

export function dashboardSchema(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const [column, path] of Object.entries(PLAN_PATHS)) {
        if (dialect === 'postgres') {
          await sql
            .raw(`alter table handoffs add column ${column} text generated always as ((plan::jsonb #>> '{${path.join(',')}}')) stored`)
            .execute(db);
        } else {
          // json_valid guards reads: a malformed value would otherwise make every SELECT * on handoffs fail.
          await sql
            .raw(`alter table handoffs add column ${column} text generated always as (case when json_valid(plan) then json_extract(plan, '$.${path.join('.')}') end) virtual`)
            .execute(db);
        }
      }
      if (dialect === 'postgres') {
        await sql.raw(`alter table handoffs add column missing_count integer generated always as (json_array_length(missing::json)) stored`).execute(db);
      } else {
        await sql.raw(`alter table handoffs add column missing_count integer generated always as (case when json_valid(missing) then json_array_length(missing) end) virtual`).execute(db);
      }

      await db.schema.createIndex('handoffs_rep_email').on('handoffs').columns(['rep_email']).execute();
      await db.schema.createIndex('handoffs_lead_email').on('handoffs').columns(['lead_email']).execute();
      // Insights (close → kickoff by month) and the board's "open" filter walk handoffs by close time.
      await db.schema.createIndex('handoffs_closed').on('handoffs').columns(['closed_at']).execute();
      // The board orders by a risk score over these plain columns: a covering index keeps SQLite from
      // walking each row's large JSON (document, plan) to reach them.
      await db.schema
        .createIndex('handoffs_board_order')
        .on('handoffs')
        .columns(['status', 'phase', 'updated_at', 'complete', 'closed_at', 'created_at', 'id'])
        .execute();
      // Insights read these columns for every closed handoff: covering them means SQLite reads the
      // derived values from the index instead of parsing each plan (and PostgreSQL can scan the index only).
      await db.schema
        .createIndex('handoffs_insights')
        .on('handoffs')
        .columns(['phase', 'status', 'closed_at', 'mapping', 'kickoff_due', 'rep_email', 'complete', 'missing_count', 'id'])
        .execute();
      // Admin: failed and retrying work, newest first; insights: where handoffs stall, per step.
      await db.schema.createIndex('handoff_steps_status_updated').on('handoff_steps').columns(['status', 'updated_at']).execute();
      // The board's "open escalation" and "overdue task" sets: one index-only read of each watching
      // table (migration 0002) per page view.
      const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
      if (tables.has('watch_checks')) {
        await db.schema.createIndex('watch_checks_fired').on('watch_checks').columns(['status', 'last_fired_at', 'handoff_id']).execute();
      }
      if (tables.has('task_status')) {
        await db.schema.createIndex('task_status_open_due').on('task_status').columns(['category', 'due_date', 'handoff_id']).execute();
      }
      await db.schema.createIndex('handoff_steps_step_status').on('handoff_steps').columns(['step_id', 'status', 'attempts']).execute();
    },
  };
}
