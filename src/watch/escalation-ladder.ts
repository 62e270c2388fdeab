// An escalation's ladder as a flat list of rungs: rung 0 is the trigger itself, each `then` adds one.
// A rung without its own `notify` / `channel` inherits the previous rung's. Pure.
import type { EscalationSpec } from '../mapping/schema.js';

export interface Rung {
  index: number;
  notify: string[];
  channel: string | null;
  /** How long after the previous rung fired (null for rung 0, which uses the trigger's after/at). */
  after: string | null;
}

export function rungsOf(spec: EscalationSpec): Rung[] {
  const rungs: Rung[] = [{ index: 0, notify: spec.notify, channel: spec.channel ?? null, after: null }];
  for (let r = spec.then; r; r = r.then) {
    const prev = rungs[rungs.length - 1]!;
    rungs.push({ index: rungs.length, notify: r.notify ?? prev.notify, channel: r.channel ?? prev.channel, after: r.after });
  }
  return rungs;
}
