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
