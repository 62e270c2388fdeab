// One header of a received request, as Express's req.get() gives it: Node lower-cases names; a repeated
// header arrives as an array, of which the first counts.

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
