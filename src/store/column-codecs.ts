// How values become portable column values on both databases.

/** JSON lives in TEXT columns (JSON.stringify escapes NUL and lone surrogates, so any value fits). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T = unknown>(text: string | null | undefined): T | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as T;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Free text bound for a plain TEXT column (titles, deal names, error messages): PostgreSQL rejects NUL
 * and SQLite silently turns lone surrogates into U+FFFD, so both become the same storable string everywhere.
 */
export function storableText(text: string): string;
export function storableText(text: string | null): string | null;
export function storableText(text: string | null): string | null {
  if (text === null) return null;
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

export const nowIso = (): string => new Date().toISOString();
