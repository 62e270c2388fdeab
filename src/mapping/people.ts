// Who plays each role a mapping names (sales_rep, project_lead, ...): an email read from the deal, a
// fallback, or a fixed address. Jira/Asana/Slack connectors turn the email into their own user ids.
import type { ResolvedPerson } from '../handoff/types.js';
import { readFieldPath, type TemplateContext } from './context.js';
import type { Mapping, PersonSpec } from './schema.js';
import { renderAt } from './render-at.js';

// Deliberately loose: the work tool is the judge of whether the address exists; this only rejects
// text that is plainly not an address (a rep typing "Jane" into the lead-email field).
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text);
}

function fullName(first: unknown, last: unknown): string | null {
  const name = [first, last]
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => p.trim())
    .join(' ');
  return name === '' ? null : name;
}

/** The name that goes with an email read from owner.* or contact.* (the same person). */
function impliedName(from: string, ctx: TemplateContext): string | null {
  if (from.startsWith('owner.')) return fullName(ctx.owner.firstname, ctx.owner.lastname);
  if (from.startsWith('contact.')) return fullName(ctx.contact.firstname, ctx.contact.lastname);
  return null;
}

function renderName(mapping: Mapping, role: string, spec: PersonSpec, ctx: TemplateContext): string | null {
  if (spec.name === undefined) return null;
  const name = renderAt(mapping, ['people', role, 'name'], spec.name, ctx).trim();
  return name === '' ? null : name;
}

function resolvePerson(mapping: Mapping, role: string, spec: PersonSpec, ctx: TemplateContext): ResolvedPerson {
  const explicitName = renderName(mapping, role, spec, ctx);
  if (spec.email !== undefined) return { role, email: spec.email, name: explicitName, source: 'static' };
  const from = spec.from ?? '';
  const value = readFieldPath(ctx, from);
  if (value !== null && isEmailAddress(value)) {
    return { role, email: value, name: explicitName ?? impliedName(from, ctx), source: from };
  }
  if (spec.fallback !== undefined) return { role, email: spec.fallback, name: explicitName, source: 'fallback' };
  return { role, email: null, name: explicitName, source: 'missing' };
}

export function resolvePeople(mapping: Mapping, ctx: TemplateContext): Record<string, ResolvedPerson> {
  const out: Record<string, ResolvedPerson> = {};
  for (const [role, spec] of Object.entries(mapping.people)) out[role] = resolvePerson(mapping, role, spec, ctx);
  return out;
}
