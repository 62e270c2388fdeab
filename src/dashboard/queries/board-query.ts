// The handoffs board: filter, sort by risk, paginate. Filters use the derived columns of migration 0003
// (no JSON parsed per row); only the page's 50 rows are read in full.
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { OPEN_DAYS_AFTER_CLOSE, RISK_WEIGHTS, STALL_AFTER_MS, riskOf, type Risk } from '../risk.js';
import { dashDb, num, parseJson, watchTables, type TablePresence } from './dashboard-db.js';
import { watchOverlay } from './watch-query.js';

export const BOARD_STATES = ['open', 'attention', 'preparing', 'pending', 'running', 'failed', 'done', 'stopped', 'all'] as const;
export type BoardState = (typeof BOARD_STATES)[number];
export const BOARD_SORTS = ['risk', 'newest', 'oldest'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];
export const PAGE_SIZE = 50;

export interface BoardFilter {
  state: BoardState;
  sort: BoardSort;
  rep?: string | undefined;
  lead?: string | undefined;
  mapping?: string | undefined;
  /** 1-based. */
  page: number;
}

export interface BoardRow {
  id: string;
  crm: string;
  dealId: string;
  title: string;
  dealName: string | null;
  client: string | null;
  amount: string | null;
  currency: string | null;
  mapping: string;
  phase: string;
  status: string;
  repEmail: string | null;
  repName: string | null;
  leadEmail: string | null;
  leadName: string | null;
  closedAt: string | null;
  updatedAt: string;
  complete: boolean;
  missingCount: number;
  kickoffDue: string | null;
  lastError: string | null;
  steps: { stepId: string; status: string }[];
  overdueTasks: number | null;
  blockedTasks: number | null;
  openEscalations: number | null;
  risk: Risk;
}

export interface BoardPage {
  rows: BoardRow[];
  total: number;
  page: number;
  pages: number;
  /** Whether escalations / live task status exist in this database yet. */
  watch: TablePresence;
}

const todayUtc = (now: Date) => now.toISOString().slice(0, 10);
// Handoffs with an open escalation (a check whose ladder fired and still climbs) and with an overdue task (the
// tool says not done, the due date passed): the conditions watch-query.ts watchOverlay counts for the page.
const ESCALATED_IDS = (eb: any, _now: Date) => eb.selectFrom('watch_checks').select('handoff_id').where('status', '=', 'pending').where('last_fired_at', 'is not', null);
const OVERDUE_IDS = (eb: any, now: Date) =>
  eb
    .selectFrom('task_status')
    .select('handoff_id')
    .where((x: any) => x.or([x('category', '<', 'done'), x('category', '>', 'done')]))
    .where('category', '<>', 'deleted') // a task deleted in the tool is not overdue
    .where('due_date', '<', todayUtc(now));

function filtered(store: Store, f: BoardFilter, now: Date, watch: TablePresence) {
  let q = dashDb(store).selectFrom('handoffs as h');
  const openCutoff = new Date(now.getTime() - OPEN_DAYS_AFTER_CLOSE * 86_400_000).toISOString();
  switch (f.state) {
    case 'open':
      q = q.where('h.status', '<>', 'stopped').where((eb: any) => eb.or([eb('h.status', '<>', 'done'), eb('h.closed_at', '>=', openCutoff)]));
      break;
    case 'attention': {
      // What riskOf calls stalled: failed, not moving, or flagged by the watching tables (non-correlated IN:
      // each set is read once).
      const cutoff = new Date(now.getTime() - STALL_AFTER_MS).toISOString();
      q = q.where('h.status', '<>', 'stopped').where((eb: any) =>
        eb.or([
          eb('h.status', '=', 'failed'),
          eb.and([eb('h.status', 'in', ['pending', 'running']), eb('h.phase', '=', 'closed'), eb('h.updated_at', '<', cutoff)]),
          ...(watch.watch_checks ? [eb('h.id', 'in', ESCALATED_IDS(eb, now))] : []),
          ...(watch.task_status ? [eb('h.id', 'in', OVERDUE_IDS(eb, now))] : []),
        ]),
      );
      break;
    }
    case 'preparing':
      q = q.where('h.phase', '=', 'preparing');
      break;
    case 'all':
      break;
    default:
      q = q.where('h.status', '=', f.state).where('h.phase', '=', 'closed');
  }
  if (f.rep) q = q.where('h.rep_email', '=', f.rep);
  if (f.lead) q = q.where('h.lead_email', '=', f.lead);
  if (f.mapping) q = q.where('h.mapping', '=', f.mapping);
  return q;
}

/**
 * risk.ts's score as SQL, so the board sorts and pages in the database and reads only the page's rows.
 * Each term is one of riskOf's (same weights, same conditions: `filtered`'s attention filter is the same
 * "stalled" set); test/integration/dashboard/dashboard-queries.test.ts checks the two agree.
 */
function riskScore(eb: any, now: Date, watch: TablePresence) {
  const term = (cond: unknown, weight: number) => sql<number>`(case when ${cond} then ${sql.lit(weight)} else 0 end)`;
  const cutoff = new Date(now.getTime() - STALL_AFTER_MS).toISOString();
  const terms = [
    term(eb('h.status', '=', 'failed'), RISK_WEIGHTS.failed),
    term(eb.and([eb('h.status', 'in', ['pending', 'running']), eb('h.phase', '=', 'closed'), eb('h.updated_at', '<', cutoff)]), RISK_WEIGHTS.stalled),
    ...(watch.watch_checks ? [term(eb('h.id', 'in', ESCALATED_IDS(eb, now)), RISK_WEIGHTS.openEscalation)] : []),
    ...(watch.task_status ? [term(eb('h.id', 'in', OVERDUE_IDS(eb, now)), RISK_WEIGHTS.overdueTask)] : []),
    term(eb('h.complete', '<>', 1), RISK_WEIGHTS.incomplete),
  ];
  return sql<number>`(${sql.join(terms, sql` + `)})`;
}

/**
 * The page's ids, in order, and the count of all that match, in one query (a window count: the filter, with
 * its derived columns, is evaluated once); a page past the end is clamped to the last one.
 */
async function pickPage(store: Store, f: BoardFilter, now: Date, watch: TablePresence): Promise<{ ids: string[]; total: number; page: number; pages: number }> {
  const read = async (page: number) => {
    let q = filtered(store, f, now, watch).select(['h.id', sql<number>`count(*) over ()`.as('total')]);
    if (f.sort === 'risk') q = q.orderBy((eb: any) => riskScore(eb, now, watch), 'desc');
    return (await q
      .orderBy(sql`coalesce(h.closed_at, h.created_at)`, f.sort === 'newest' ? 'desc' : 'asc')
      .orderBy('h.id')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute()) as { id: string; total: unknown }[];
  };
  let page = Math.max(1, f.page);
  let rows = await read(page);
  let total = rows.length ? num(rows[0]!.total) : 0;
  if (rows.length === 0 && page > 1) {
    total = num(((await filtered(store, f, now, watch).select(sql<number>`count(*)`.as('n')).executeTakeFirst()) as { n?: unknown } | undefined)?.n);
    page = Math.max(1, Math.ceil(total / PAGE_SIZE));
    rows = total ? await read(page) : [];
  }
  return { ids: rows.map((r) => r.id), total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

interface PeopleInPlan {
  people?: Record<string, { name?: string | null; email?: string | null }>;
}
interface DealJson {
  properties?: Record<string, string | null>;
  company?: { name?: string | null } | null;
}

export async function queryBoard(store: Store, f: BoardFilter, now: Date): Promise<BoardPage> {
  const watch = await watchTables(store);
  const db = dashDb(store);
  const { ids: pageIds, total, page, pages } = await pickPage(store, f, now, watch);
  const fetched = pageIds.length
    ? ((await db
        .selectFrom('handoffs as h')
        .select([
          'h.id',
          'h.crm',
          'h.deal_id',
          'h.title',
          'h.deal_name',
          'h.mapping',
          'h.phase',
          'h.status',
          'h.rep_email',
          'h.lead_email',
          'h.closed_at',
          'h.updated_at',
          'h.complete',
          'h.missing_count',
          'h.kickoff_due',
          'h.last_error',
          'h.plan',
          'h.deal',
        ])
        .where('h.id', 'in', pageIds)
        .execute()) as Record<string, any>[])
    : [];
  const byId = new Map(fetched.map((r) => [r.id as string, r]));
  const rows = pageIds.map((id) => byId.get(id)).filter((r): r is Record<string, any> => r !== undefined);
  const ids = rows.map((r) => r.id as string);
  if (ids.length === 0) return { rows: [], total, page, pages, watch };

  const [steps, overlay] = await Promise.all([
    db
      .selectFrom('handoff_steps')
      .select(['handoff_id', 'step_id', 'status'])
      .where('handoff_id', 'in', ids)
      .orderBy('position')
      .execute() as Promise<{ handoff_id: string; step_id: string; status: string }[]>,
    watchOverlay(store, ids, now),
  ]);
  const detailById = new Map(rows.map((d) => [d.id as string, { plan: parseJson<PeopleInPlan>(d.plan), deal: parseJson<DealJson>(d.deal) }]));
  const stepsById = new Map<string, { stepId: string; status: string }[]>();
  for (const s of steps) stepsById.set(s.handoff_id, [...(stepsById.get(s.handoff_id) ?? []), { stepId: s.step_id, status: s.status }]);

  return {
    rows: rows.map((r) => {
      const d = detailById.get(r.id);
      const people = d?.plan?.people ?? {};
      const props = d?.deal?.properties ?? {};
      const overdueTasks = overlay.overdue ? (overlay.overdue.get(r.id) ?? 0) : null;
      const openEscalations = overlay.escalations ? (overlay.escalations.get(r.id) ?? 0) : null;
      const complete = num(r.complete) === 1;
      const missingCount = num(r.missing_count);
      return {
        id: r.id,
        crm: r.crm,
        dealId: r.deal_id,
        title: r.title,
        dealName: r.deal_name,
        client: d?.deal?.company?.name ?? null,
        amount: props.amount ?? null,
        currency: props.deal_currency_code ?? null,
        mapping: r.mapping,
        phase: r.phase,
        status: r.status,
        repEmail: r.rep_email,
        repName: people.sales_rep?.name ?? null,
        leadEmail: r.lead_email,
        leadName: people.project_lead?.name ?? null,
        closedAt: r.closed_at,
        updatedAt: r.updated_at,
        complete,
        missingCount,
        kickoffDue: r.kickoff_due,
        lastError: r.last_error,
        steps: stepsById.get(r.id) ?? [],
        overdueTasks,
        blockedTasks: overlay.blocked ? (overlay.blocked.get(r.id) ?? 0) : null,
        openEscalations,
        risk: riskOf({ status: r.status, phase: r.phase, updatedAt: r.updated_at, complete, missingCount, overdueTasks, openEscalations }, now),
      } satisfies BoardRow;
    }),
    total,
    page,
    pages,
    watch,
  };
}

export interface FilterOptions {
  reps: string[];
  leads: string[];
  mappings: string[];
}

const OPTIONS_TTL_MS = 30_000;
const optionsCache = new WeakMap<Store, { at: number; value: Promise<FilterOptions> }>();

/** Distinct reps, leads and mappings for the filter menus (index-only scans; cached 30 s per process). */
export function filterOptions(store: Store): Promise<FilterOptions> {
  const hit = optionsCache.get(store);
  if (hit && Date.now() - hit.at < OPTIONS_TTL_MS) return hit.value;
  const db = dashDb(store);
  const distinct = async (column: string) =>
    ((await db.selectFrom('handoffs').select(column).distinct().where(column, 'is not', null).orderBy(column).execute()) as Record<string, string>[]).map(
      (r) => r[column]!,
    );
  const value = Promise.all([distinct('rep_email'), distinct('lead_email'), distinct('mapping')]).then(([reps, leads, mappings]) => ({ reps, leads, mappings }));
  value.catch(() => optionsCache.delete(store));
  optionsCache.set(store, { at: Date.now(), value });
  return value;
}
