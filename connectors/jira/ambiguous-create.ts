// A create whose answer never came (a timeout, a 5xx, a cut-off body, a crash) may have happened: Jira has no
// idempotency key for creates, and its search index lags behind writes ("search and reconcile": seconds,
// sometimes minutes; `reconcileIssues` only helps for issue ids you know, and the id of a lost answer is exactly
// what is unknown). So before each create call the step records that it was sent (`parentSentAt`,
// `tasksSentAt`); an answer clears it. A retry whose marker-label search misses something still marked as sent
// does not create it again until the settle window since the send has passed: it parks the job (a told wait,
// no attempt spent) and searches again after a doubling back-off. DESIGN invariant 10.
import { isPermanent, isRetryable, RetryableError } from '../../src/handoff/errors.js';
import type { StepProgress } from '../../src/handoff/ports.js';
import { passFence } from '../common/run-fence.js';
import { CONNECTOR } from './classify-error.js';

export type SentKey = 'parentSentAt' | 'tasksSentAt';

/** How long a miss in Jira's search is not yet proof that a create did not happen. JIRA_SEARCH_SETTLE_SECONDS. */
export const DEFAULT_SEARCH_SETTLE_MS = 60_000;
/** The shortest wait between two searches for the same send. */
const MIN_WAIT_MS = 1_000;

/** Whether the create may have happened although the call failed: only a sign the answer was lost. */
function mayHaveHappened(err: unknown): boolean {
  if (isPermanent(err)) return false; // Jira refused it (4xx): nothing was created
  // 429, our own limiter, an open circuit: the request was never acted on.
  if (isRetryable(err)) return err.reason === 'unavailable';
  return true;
}

/**
 * Runs one create call between a durable "sent" record and its answer. The caller clears `key` (saves it as
 * null) together with the ids the answer brought; a refusal clears it here; a lost answer leaves it.
 */
export async function sendCreate<T>(progress: StepProgress, key: SentKey, send: () => Promise<T>): Promise<T> {
  // A run that has lost its handoff to another stops here, before claiming a send it will never make (the
  // other run would otherwise wait out the settle window for a create that never went out).
  await passFence();
  await progress.save({ [key]: new Date().toISOString() }, { beforeCall: true });
  try {
    return await send();
  } catch (err) {
    if (!mayHaveHappened(err)) await progress.save({ [key]: null });
    throw err;
  }
}

/**
 * Throws a told wait when `what` is still missing from the search although a create of it was sent less than
 * `settleMs` ago; returns when the search's miss can be trusted (nothing sent, or the window has passed).
 */
export function awaitSearchSettled(sentAt: string | null | undefined, what: string, ctx: { mapping: string; settleMs: number; now?: number }): void {
  const sent = sentAt ? Date.parse(sentAt) : Number.NaN;
  if (Number.isNaN(sent)) return;
  const now = ctx.now ?? Date.now();
  const elapsed = Math.max(0, now - sent);
  if (elapsed >= ctx.settleMs) return;
  const waitMs = Math.min(ctx.settleMs - elapsed, Math.max(MIN_WAIT_MS, elapsed));
  throw new RetryableError(
    `mapping ${ctx.mapping}: Jira's search does not yet show ${what} Baton sent at ${new Date(sent).toISOString()}, whose answer never came. ` +
      `Search lags behind creates: Baton looks again in ${Math.ceil(waitMs / 1000)} s and creates it again only if it is still missing at ${new Date(sent + ctx.settleMs).toISOString()}`,
    CONNECTOR,
    waitMs,
    { reason: 'busy' },
  );
}
