// Baton's idempotency marker in Slack is the message metadata it posts with (event_type + an id in
// event_payload). Only a retry whose earlier request may have posted (progress.firstAttempt false) reads the
// thread (conversations.replies) or the channel's history (conversations.history) with include_all_metadata,
// from the earlier request's time on (`oldest`), and returns the message that attempt posted.
import type { StepProgress } from '../../src/handoff/ports.js';
import type { SlackApi } from './slack-api.js';
import { nextCursor } from './slack-directory.js';

export const MARKER_PAGE_SIZE = 200;
/** How far back the search goes when the progress does not say when the earlier request went out. */
export const MARKER_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Slack stamps ts with its own clock: start this much before Baton's record of the request. */
export const MARKER_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Safety stop for a very busy channel: 50 pages × 200 messages. */
export const MARKER_MAX_PAGES = 50;

/** Where the search starts: the earlier request's time (less clock skew), else a day back. */
export function markerSearchFrom(progress: Pick<StepProgress, 'attemptedAt'>, nowMs = Date.now()): number {
  const at = progress.attemptedAt ? Date.parse(progress.attemptedAt) : Number.NaN;
  return Number.isFinite(at) ? at - MARKER_CLOCK_SKEW_MS : nowMs - MARKER_LOOKBACK_MS;
}

export interface MarkerQuery {
  channel: string;
  /** Search this thread's replies since `oldestMs`; null → the channel's top-level history since `oldestMs`. */
  threadTs: string | null;
  eventType: string;
  /** Does this event_payload belong to the message being posted? */
  matches(payload: Record<string, unknown>): boolean;
  oldestMs: number;
}

export interface MarkedMessage {
  ts: string;
  /** The thread the message is in (its own ts when it is a top-level message). */
  threadTs: string;
}

interface SlackMessage {
  ts?: unknown;
  thread_ts?: unknown;
  metadata?: { event_type?: unknown; event_payload?: unknown };
}

export async function findMarkedMessage(api: SlackApi, q: MarkerQuery): Promise<MarkedMessage | null> {
  const method = q.threadTs ? 'conversations.replies' : 'conversations.history';
  // Slack's `oldest` is a ts string in seconds; both methods take it.
  const base: Record<string, unknown> = { channel: q.channel, include_all_metadata: true, limit: MARKER_PAGE_SIZE, oldest: (Math.max(0, q.oldestMs) / 1000).toFixed(6) };
  if (q.threadTs) base.ts = q.threadTs;
  let cursor: string | undefined;
  for (let page = 0; page < MARKER_MAX_PAGES; page++) {
    const res = await api.call(method, cursor ? { ...base, cursor } : base, { channel: q.channel, threadTs: q.threadTs ?? undefined });
    const messages = Array.isArray(res.messages) ? (res.messages as SlackMessage[]) : [];
    for (const m of messages) {
      const meta = m.metadata;
      if (typeof m.ts !== 'string' || !meta || meta.event_type !== q.eventType) continue;
      const payload = meta.event_payload;
      if (typeof payload !== 'object' || payload === null || !q.matches(payload as Record<string, unknown>)) continue;
      const threadTs = typeof m.thread_ts === 'string' ? m.thread_ts : (q.threadTs ?? m.ts);
      return { ts: m.ts, threadTs };
    }
    cursor = nextCursor(res);
    if (!cursor) return null;
  }
  return null;
}
