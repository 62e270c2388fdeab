// The DM a sales rep gets before close when the handoff document is still missing fields.
import { createHash } from 'node:crypto';
import { escapeMrkdwn } from './escape.js';
import type { MissingField } from './types.js';

/** Same missing fields → same key, so a burst of deal edits yields one DM, and a new gap a new one. */
export function missingSetKey(missing: MissingField[]): string {
  const ids = missing.map((m) => `${m.section}.${m.key}`).sort();
  return createHash('sha1').update(ids.join('|')).digest('hex').slice(0, 16);
}

export function buildNudgeText(input: { dealName: string | null; title: string; missing: MissingField[]; dealUrl: string | null; handoffUrl: string }): string {
  const name = escapeMrkdwn(input.dealName ?? input.title);
  const list = input.missing.map((m) => `• ${escapeMrkdwn(m.label)}`).join('\n');
  const where = input.dealUrl ? `<${input.dealUrl}|Open the deal>` : 'Open the deal in the CRM';
  return [
    `Before *${name}* closes, the handoff document for the delivery team is missing:`,
    list,
    `${where} and fill these in, so delivery starts with the whole story. (<${input.handoffUrl}|handoff status>)`,
  ].join('\n');
}
