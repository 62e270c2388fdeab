// `baton preview --mapping NAME --deal deal.json`: what a closed deal would become, calling nothing.
import { readFile } from 'node:fs/promises';
import type { CrmDeal } from '../handoff/ports.js';
import { parseHubSpotWebhook } from '../../connectors/hubspot/parse-webhook.js';
import { dealFromSnapshot } from '../mapping/deal-from-snapshot.js';
import { loadMappingsFromDir, formatMappingError } from '../mapping/load-mappings.js';
import { buildHandoff, type BuiltHandoff } from '../mapping/build-handoff.js';
import { renderDocumentMarkdown } from '../handoff/render-markdown.js';
import { plannedJiraRequests } from '../../connectors/jira/planned-requests.js';
import { plannedAsanaRequests } from '../../connectors/asana/planned-requests.js';
import { buildIntroText, mentionOrName } from '../../connectors/slack/intro-text.js';

export interface PreviewOptions {
  mapping: string;
  deal: string;
  dir: string;
  closedAt?: string;
  json?: boolean;
}

export async function previewCommand(opts: PreviewOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { mappings, errors } = await loadMappingsFromDir(opts.dir, process.env);
  const found = mappings.find((m) => m.mapping.name === opts.mapping);
  if (!found) {
    for (const e of errors) out.write(`${formatMappingError(e)}\n`);
    out.write(`no valid mapping named '${opts.mapping}' in ${opts.dir} (found: ${mappings.map((m) => m.mapping.name).join(', ') || 'none'})\n`);
    return 1;
  }
  let deal: CrmDeal;
  try {
    deal = readDealFile(JSON.parse(await readFile(opts.deal, 'utf8')));
  } catch (e) {
    out.write(`cannot read deal from ${opts.deal}: ${(e as Error).message}\n`);
    return 1;
  }
  const closedAt = opts.closedAt ? new Date(opts.closedAt) : new Date();
  if (Number.isNaN(closedAt.getTime())) {
    out.write(`--closed-at: not a date: ${opts.closedAt}\n`);
    return 1;
  }
  const built = buildHandoff(found.mapping, deal, { closedAt });
  const requests = previewRequests(built, found.mapping.name);
  out.write(opts.json ? `${JSON.stringify({ ...built, requests }, null, 2)}\n` : formatPreview(built, closedAt, requests));
  return 0;
}

/** A saved CrmDeal, or a HubSpot workflow-webhook payload carrying the deal's properties. */
export function readDealFile(json: unknown): CrmDeal {
  if (json && typeof json === 'object' && 'crm' in json && 'properties' in json && 'id' in json) return json as CrmDeal;
  const parsed = parseHubSpotWebhook(json);
  const event = parsed.events.find((e) => e.snapshot);
  if (!event) throw new Error('expected a deal (CrmDeal JSON) or a HubSpot workflow webhook payload with properties');
  return dealFromSnapshot(event);
}

/** The exact API requests the live connectors would send (ids Jira/Slack assign shown as <placeholders>). */
export function previewRequests(b: BuiltHandoff, mapping: string) {
  const handoffId = '<handoff id>';
  const people = b.people;
  return {
    work: (b.work.tool === 'jira' ? plannedJiraRequests : plannedAsanaRequests)({ plan: b.work, document: b.document, handoffId, mapping }),
    slack: b.intro.channel
      ? {
          method: 'chat.postMessage',
          body: {
            channel: b.intro.channel,
            ...(b.intro.threadTs ? { thread_ts: b.intro.threadTs } : {}),
            text: buildIntroText(b.intro.text, mentionOrName(people.sales_rep, null), mentionOrName(people.project_lead, null)),
            parse: 'none',
            unfurl_links: false,
            metadata: { event_type: 'baton_handoff_intro', event_payload: { handoff_id: handoffId } },
          },
        }
      : null,
  };
}

export function formatPreview(b: BuiltHandoff, closedAt: Date, requests?: ReturnType<typeof previewRequests>): string {
  const lines: string[] = [];
  const doc = b.document;
  lines.push(`== Document: ${doc.complete ? 'complete' : `INCOMPLETE, missing ${doc.missing.map((m) => m.label).join(', ')}`} ==`, '');
  lines.push(renderDocumentMarkdown(doc).trimEnd(), '');
  lines.push(`== People ==`);
  for (const p of Object.values(b.people)) lines.push(`  ${p.role}: ${p.email ?? '(none)'}${p.name ? ` (${p.name})` : ''} [from ${p.source}]`);
  lines.push('', `== Work: ${b.work.tool}, project ${b.work.project}; closed ${closedAt.toISOString()}, calendar ${b.calendar.timezone} ==`);
  lines.push(`  parent: ${b.work.parent.summary}`);
  for (const t of b.work.tasks) {
    const owner = t.assigneeRole ? `${t.assigneeRole} <${t.assigneeEmail ?? 'unresolved'}>` : 'unassigned';
    lines.push(`  - ${t.id}: ${t.summary}`);
    lines.push(`      owner ${owner}; due ${t.dueDate ?? '—'}${t.after.length ? `; after ${t.after.join(', ')}` : ''}`);
  }
  lines.push(`  kickoff due: ${b.kickoffDue ?? '—'}`);
  lines.push('', `== Intro: ${b.intro.channel ? `${b.intro.tool} ${b.intro.channel}, ${b.intro.threadTs ? `reply in thread ${b.intro.threadTs}` : 'new thread'}` : 'NOT POSTED: the deal names no client channel'} ==`);
  lines.push(b.intro.text, '');
  if (requests?.work) {
    lines.push(b.work.tool === 'jira' ? '== Jira requests (people are resolved to accountIds when sent) ==' : '== Asana requests ==');
    lines.push(JSON.stringify(requests.work, null, 2), '');
  }
  if (requests?.slack) {
    lines.push('== Slack request (rep and lead become @mentions when Slack knows their emails) ==');
    lines.push(JSON.stringify(requests.slack, null, 2), '');
  }
  return `${lines.join('\n')}\n`;
}
