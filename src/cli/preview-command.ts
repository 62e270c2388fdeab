// `baton preview --mapping NAME --deal deal.json`: what a closed deal would become, calling nothing.
import { readFile } from 'node:fs/promises';
import type { CrmDeal } from '../handoff/ports.js';
import { readDealFile } from '../handoff/deal-file.js';
import { processEnv } from '../config/environment.js';
import { loadMappingsFromDir, formatMappingError } from '../mapping/load-mappings.js';
import { buildHandoff, type BuiltHandoff } from '../mapping/build-handoff.js';
import { renderDocumentMarkdown } from '../handoff/render-markdown.js';
import { requestPlanners } from '../runtime/request-planners.js';
import { payloadEvents } from '../runtime/crm-payloads.js';

export interface PreviewOptions {
  mapping: string;
  deal: string;
  dir: string;
  closedAt?: string;
  json?: boolean;
}

export async function previewCommand(opts: PreviewOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { mappings, errors } = await loadMappingsFromDir(opts.dir, processEnv());
  const found = mappings.find((m) => m.mapping.name === opts.mapping);
  if (!found) {
    for (const e of errors) out.write(`${formatMappingError(e)}\n`);
    out.write(`no valid mapping named '${opts.mapping}' in ${opts.dir} (found: ${mappings.map((m) => m.mapping.name).join(', ') || 'none'})\n`);
    return 1;
  }
  let deal: CrmDeal;
  try {
    deal = readDealFile(JSON.parse(await readFile(opts.deal, 'utf8')), payloadEvents);
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

/** The exact API requests the live connectors would send (ids Jira/Slack assign shown as <placeholders>): the same builders dry-run records with. */
export function previewRequests(b: BuiltHandoff, mapping: string) {
  const handoffId = '<handoff id>';
  return {
    work: requestPlanners.work[b.work.tool]({ plan: b.work, document: b.document, handoffId, mapping }),
    slack: b.intro.channel ? requestPlanners.intro({ intro: { ...b.intro, channel: b.intro.channel }, people: b.people, handoffId }) : null,
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
