// One rule for every queue: when a job fails with a RetryableError that says when to come back (a 429's
// Retry-After, an open circuit's cooldown, our own limiter's next slot, another run holding the handoff),
// park it until then instead of spending one of its attempts on BullMQ's blind exponential backoff. An
// outage longer than the backoff schedule then no longer dead-letters work that would have succeeded.
import { DelayedError, type Job } from 'bullmq';
import { isRetryable } from '../handoff/errors.js';

/**
 * Waits a job may take before the rule stops applying and its attempts count again (a service that answers
 * 429 forever must still end in the dead-letter view): 50 waits of a 30 s circuit cooldown is 25 minutes.
 */
export const MAX_TOLD_WAITS = 50;

/** Rethrows `err`, first parking the job when the error names a wait and the job may still wait. */
export async function rethrowHonouringRetryAfter(job: Job, token: string | undefined, err: unknown): Promise<never> {
  if (token && !(err instanceof DelayedError) && isRetryable(err) && err.retryAfterMs !== undefined && job.attemptsStarted <= MAX_TOLD_WAITS) {
    await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
    throw new DelayedError();
  }
  throw err;
}
