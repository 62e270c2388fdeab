// Errors that mean something to the queue (in the spirit of BullMQ's UnrecoverableError): a connector
// turns every failure into one of these so jobs never inspect HTTP details.

/** Worth trying again later: 429, 5xx, network. `retryAfterMs` is the server's wish when it said one. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    readonly connector: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
