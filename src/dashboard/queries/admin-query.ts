// What the admin page lists: failed and retrying handoff steps (with how their error was classified),
// and each connector's recent trouble and rate-limit backlog (dead-lettered jobs: src/queue/dead-letter.ts).
import type { Redis } from 'ioredis';
import type { Store } from '../../store/database.js';
import { dashDb, num, watchTables } from './dashboard-db.js';

export interface FailedStep {
  handoffId: string;
  title: string;
  mapping: string;
  handoffStatus: string;
  stepId: string;
  stepStatus: string;
  attempts: number;
  /** Permanent: the connector said retrying cannot help until something is fixed. */
  permanent: boolean;
  lastError: string | null;
  updatedAt: string;
}

/** Steps that failed for good, and steps whose retries ran out (the handoff is failed, the step waits). Newest first. */
export async function queryFailedSteps(store: Store, limit = 100): Promise<FailedStep[]> {
  const rows = (await dashDb(store)
    .selectFrom('handoff_steps as s')
    .innerJoin('handoffs as h', 'h.id', 's.handoff_id')
    .select(['s.handoff_id', 'h.title', 'h.mapping', 'h.status as handoff_status', 's.step_id', 's.status', 's.attempts', 's.permanent', 's.last_error', 's.updated_at'])
    .where((eb: any) =>
      eb.or([eb('s.status', '=', 'failed'), eb.and([eb('h.status', '=', 'failed'), eb('s.status', '=', 'pending'), eb('s.last_error', 'is not', null)])]),
    )
    .orderBy('s.updated_at', 'desc')
    .limit(limit)
    .execute()) as Record<string, any>[];
  return rows.map((r) => ({
    handoffId: r.handoff_id,
    title: r.title,
    mapping: r.mapping,
    handoffStatus: r.handoff_status,
    stepId: r.step_id,
    stepStatus: r.status,
    attempts: num(r.attempts),
    permanent: num(r.permanent) === 1,
    lastError: r.last_error,
    updatedAt: r.updated_at,
  }));
}

export interface FailedCheck {
  handoffId: string;
  title: string;
  mapping: string;
  triggerId: string;
  rung: number;
  /** The error and the command that retries the check's job. */
  note: string | null;
  updatedAt: string;
}

/** Escalation checks whose job failed for good (src/store/watch-tables.ts `failed`), newest first. */
export async function queryFailedChecks(store: Store, limit = 100): Promise<FailedCheck[]> {
  if (!(await watchTables(store)).watch_checks) return [];
  const rows = (await dashDb(store)
    .selectFrom('watch_checks as c')
    .innerJoin('handoffs as h', 'h.id', 'c.handoff_id')
    .select(['c.handoff_id', 'h.title', 'h.mapping', 'c.trigger_id', 'c.rung', 'c.note', 'c.updated_at'])
    .where('c.status', '=', 'failed')
    .orderBy('c.updated_at', 'desc')
    .limit(limit)
    .execute()) as Record<string, any>[];
  return rows.map((r) => ({ handoffId: r.handoff_id, title: r.title, mapping: r.mapping, triggerId: r.trigger_id, rung: num(r.rung), note: r.note, updatedAt: r.updated_at }));
}

/** The latest error a step recorded, optionally only in some mappings' handoffs (which connector it belongs to is the caller's knowledge). */
export async function lastStepError(store: Store, stepId: string, mappings?: string[]): Promise<{ message: string; at: string } | null> {
  if (mappings && mappings.length === 0) return null;
  let q = dashDb(store)
    .selectFrom('handoff_steps as s')
    .select(['s.last_error', 's.updated_at'])
    .where('s.step_id', '=', stepId)
    .where('s.last_error', 'is not', null);
  // Only the handoffs of these mappings (e.g. those whose work goes to Jira, not Asana).
  if (mappings) q = q.innerJoin('handoffs as h', 'h.id', 's.handoff_id').where('h.mapping', 'in', mappings);
  const r = (await q
    .orderBy('s.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst()) as { last_error: string; updated_at: string } | undefined;
  return r ? { message: r.last_error, at: r.updated_at } : null;
}

/**
 * How far ahead the shared limiter has reserved slots for `key` (connectors/common/rate-limiter.ts keeps
 * the next free slot as µs in `<prefix>:ratelimit:<key>`, on Redis' clock). 0 = idle, full headroom.
 */
export async function rateLimitBacklogMs(redis: Redis, prefix: string, key: string): Promise<number> {
  const [tat, time] = await Promise.all([redis.get(`${prefix}:ratelimit:${key}`), redis.time()]);
  if (!tat) return 0;
  const nowUs = Number(time[0]) * 1_000_000 + Number(time[1]);
  return Math.max(0, Math.round((Number(tat) - nowUs) / 1000));
}
