// Errors that mean something to the queue (in the spirit of BullMQ's UnrecoverableError): a connector
// turns every failure into one of these so jobs never inspect HTTP details.

/**
 * Why a retry may help. Only 'unavailable' (5xx, timeout, network, a garbled answer) is a sign the service is
 * down and counts against its circuit (connectors/common/circuit-breaker.ts); the others come from a service
 * that is answering ('rate-limited': 429 or our own limiter; 'busy': 409/423, a job still running) or from
 * the breaker itself ('circuit-open').
 */
export type RetryReason = 'unavailable' | 'rate-limited' | 'busy' | 'circuit-open';

/** Worth trying again later: 429, 5xx, network. `retryAfterMs` is the server's wish when it said one. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly reason: RetryReason;
  constructor(
    message: string,
    readonly connector: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; reason?: RetryReason },
  ) {
    super(message, options);
    this.reason = options?.reason ?? 'unavailable';
  }
}

/** Will fail the same way every time until a human changes something: the message says what. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    message: string,
    readonly connector: string,
    /** The offending field or setting, when the API named one (e.g. customfield_10020). */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isRetryable = (e: unknown): e is RetryableError => e instanceof RetryableError;
export const isPermanent = (e: unknown): e is PermanentError => e instanceof PermanentError;

/**
 * The run no longer holds its subject (one handoff's steps): it stalled past its lease and another run took
 * over. It stops before its next call and records nothing (connectors/common/run-fence.ts, jobs/run-lease.ts).
 */
export class RunFenceLostError extends Error {
  override readonly name = 'RunFenceLostError';
}
