// The note Baton leaves on the deal's timeline: where the work is, who owns it, what is missing.
// Plain text; the CRM connector escapes and formats it for its CRM.
import type { HandoffDocument, ResolvedPerson } from './types.js';

export function buildTimelineNote(input: {
  title: string;
  document: HandoffDocument;
  people: Record<string, ResolvedPerson>;
  workUrl: string | null;
  handoffUrl: string;
  kickoffDue: string | null;
}): string {
  const lines = [`Baton handoff: ${input.title}`];
  lines.push(input.workUrl ? `Delivery work: ${input.workUrl}` : 'Delivery work: created (no link available)');
  const owners = Object.values(input.people)
    .filter((p) => p.email || p.name)
    .map((p) => `${p.role.replace(/_/g, ' ')}: ${p.name ?? p.email}${p.name && p.email ? ` <${p.email}>` : ''}`);
  if (owners.length) lines.push(`Owners: ${owners.join('; ')}`);
  if (input.kickoffDue) lines.push(`Kickoff due: ${input.kickoffDue}`);
  lines.push(
    input.document.complete
      ? 'Handoff document: complete'
      : `Handoff document: incomplete, missing ${input.document.missing.map((m) => m.label).join(', ')}`,
  );
  lines.push(`Status page: ${input.handoffUrl}`);
  return lines.join('\n');
}

/** The CRM-neutral delivery status written back to the deal. */
export function writeBackStatus(document: HandoffDocument): 'in_delivery' | 'incomplete' {
  return document.complete ? 'in_delivery' : 'incomplete';
}
