// Fault injection shared by the stand-ins: the ways a real API (or the proxy in front of it) misbehaves that
// Baton must survive. Each stand-in answers a fault with its own API's documented error shapes; this module
// only decides which requests are hit and how the wire answer is bent.
//
//   error       the API does nothing and answers a 5xx with its own error body (an outage)
//   rate-limit  the API does nothing and answers 429 with its own body and an integer Retry-After (a storm)
//   stall       the request is read and never answered (a dead upstream behind a load balancer); only the
//               client's timeout ends it
//   slow        the API does the work and answers `ms` later (an answer the client may have given up on:
//               the effect happened anyway)
//   malformed   the API does the work and the body arrives cut in half (a truncating proxy): same status,
//               JSON content type, unparseable JSON
export type Fault =
  | { kind: 'error'; status?: number }
  | { kind: 'rate-limit'; retryAfterS: number }
  | { kind: 'stall' }
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' };

export interface FaultHit {
  kind: Fault['kind'];
  /** "METHOD /path" as the stand-in names the endpoint. */
  endpoint: string;
  at: number;
}

interface Rule {
  fault: Fault;
  match?: RegExp;
  /** Requests left to hit; undefined = until cleared. */
  left?: number;
}

export class StandinFaults {
  private rules: Rule[] = [];
  /** Every request a fault hit, in order. */
  readonly hits: FaultHit[] = [];

  /** From now on, requests whose "METHOD /path" matches `match` (all when absent) meet `fault`, `times` times (or until cleared). */
  inject(fault: Fault, o: { match?: RegExp; times?: number } = {}): void {
    this.rules.push({ fault, match: o.match, left: o.times });
  }

  /** The API is healthy again. */
  clear(): void {
    this.rules = [];
  }

  /** The fault this request meets, if any (uses up one of its `times`). */
  take(endpoint: string): Fault | undefined {
    const rule = this.rules.find((r) => (r.left === undefined || r.left > 0) && (!r.match || r.match.test(endpoint)));
    if (!rule) return undefined;
    if (rule.left !== undefined) rule.left -= 1;
    this.hits.push({ kind: rule.fault.kind, endpoint, at: Date.now() });
    return rule.fault;
  }

  count(kind?: Fault['kind']): number {
    return kind ? this.hits.filter((h) => h.kind === kind).length : this.hits.length;
  }
}

/** The body as it reaches the client: cut in half under `malformed`. */
export function bendBody(fault: Fault | undefined, text: string): string {
  return fault?.kind === 'malformed' && text.length > 1 ? text.slice(0, Math.floor(text.length / 2)) : text;
}

/** Writes the answer now, or `ms` later under `slow`. */
export function deliver(fault: Fault | undefined, write: () => void): void {
  if (fault?.kind === 'slow') setTimeout(write, fault.ms);
  else write();
}
