// `trigger.when`: every condition must hold (AND). Values compare as trimmed text, exactly as the CRM
// stores them (enumeration internal values, not labels).
import { RE2JS } from 're2js';
import { readFieldPath, type TemplateContext } from './context.js';
import type { Condition } from './schema.js';

const compiled = new Map<string, RE2JS>();

function regex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether one condition holds. An empty or absent value never matches `in` / `equals` / `matches`. */
export function conditionHolds(c: Condition, ctx: TemplateContext): boolean {
  const value = readFieldPath(ctx, c.field);
  if (c.exists !== undefined) return (value !== null) === c.exists;
  if (c.in !== undefined) return value !== null && c.in.includes(value);
  if (c.not_in !== undefined) return value === null || !c.not_in.includes(value);
  if (c.equals !== undefined) return value === c.equals;
  // RE2: linear-time matching on client-written text; unanchored, like a search (anchor with ^ and $).
  if (c.matches !== undefined) return value !== null && regex(c.matches).test(value);
  return false;
}

function describe(c: Condition): string {
  if (c.exists !== undefined) return `${c.field} ${c.exists ? 'exists' : 'is empty'}`;
  if (c.in !== undefined) return `${c.field} in [${c.in.join(', ')}]`;
  if (c.not_in !== undefined) return `${c.field} not in [${c.not_in.join(', ')}]`;
  if (c.equals !== undefined) return `${c.field} equals ${c.equals}`;
  return `${c.field} matches /${c.matches ?? ''}/`;
}

/** null when all conditions hold; else a sentence naming the first that does not. */
export function failedCondition(conditions: readonly Condition[], ctx: TemplateContext): string | null {
  for (const c of conditions) {
    if (!conditionHolds(c, ctx)) {
      const value = readFieldPath(ctx, c.field);
      return `condition not met: ${describe(c)} (value: ${value === null ? 'empty' : JSON.stringify(value)})`;
    }
  }
  return null;
}
