// Small pieces every connector's error classification needs, in one place.

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** Removes every secret value from a message that may echo a request (tokens never reach errors or logs). */
export function redactSecrets(message: string, secrets: readonly string[] | undefined): string {
  let m = message;
  for (const s of secrets ?? []) if (s.length >= 4) m = m.split(s).join('[redacted]');
  return m;
}

/** The HTTP facts of a failed call, as far as they are known (each connector's describe*Failure fills it in). */
export interface HttpFailure {
  status?: number;
  /** Response headers, lower-cased names. */
  headers?: Record<string, string | undefined>;
  /** The service's error body, parsed when possible; its shape is the connector's to read. */
  body?: unknown;
  /** Network-level failure code (ECONNRESET, ECONNABORTED for an axios timeout…). */
  networkCode?: string;
  /** The client gave up waiting (its own timeout). */
  timedOut?: boolean;
  /** A success whose body was not JSON: its first bytes (or the parser's message). */
  malformedBody?: string;
}

/** A wait as an admin reads it in a message: "1 h", "5 min", "30 s", "250 ms". */
export function formatWait(ms: number): string {
  if (ms >= 60 * 60 * 1000 && ms % (60 * 60 * 1000) === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${ms} ms`;
}

/** A JSON object (not null, not an array): what error bodies and SDK errors are read as. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
