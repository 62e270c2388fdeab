// `baton validate --live`: check each mapping against the connected systems before the first deal
// arrives. One problem per line, each with the fix. Systems without credentials are reported as
// skipped (they run in dry-run), not as failures. The admin page shows the same list. The checks themselves
// are the connectors' (src/handoff/preflight-ports.ts, built by src/runtime/build-preflight.ts).
import type { BatonConfig } from '../config/read-env-options.js';
import type { Mapping } from '../mapping/schema.js';
import { referencedProperties } from '../mapping/trigger.js';
import type { PreflightPorts } from '../handoff/preflight-ports.js';

/** What to set so a work tool is checked (and runs live). */
const WORK_TOOL_SETTINGS: Record<'jira' | 'asana', string> = {
  jira: 'JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN',
  asana: 'ASANA_ACCESS_TOKEN',
};

export interface PreflightLine {
  mapping: string;
  system: 'hubspot' | 'jira' | 'asana' | 'slack';
  status: 'problem' | 'skipped';
  problem: string;
  fix: string;
}

/** Emails a mapping names itself (fixed people and fallbacks); emails read from deals are checked per deal. */
export function staticEmails(m: Mapping): string[] {
  const out = new Set<string>();
  for (const p of Object.values(m.people)) {
    if (p.email) out.add(p.email);
    if (p.fallback) out.add(p.fallback);
  }
  return [...out];
}

/** Channels a mapping names literally (a template like {{ deal.x }} is a per-deal value). */
export function staticChannels(m: Mapping, config: BatonConfig): string[] {
  const out = new Set<string>();
  if (m.thread && !m.thread.channel.includes('{')) out.add(m.thread.channel);
  if (config.slack.escalationChannel) out.add(config.slack.escalationChannel);
  return [...out];
}

export async function runPreflight(config: BatonConfig, mappings: Mapping[], checks: PreflightPorts): Promise<PreflightLine[]> {
  const lines: PreflightLine[] = [];
  const add = (mapping: string, system: PreflightLine['system'], problems: { problem: string; fix: string }[]) =>
    problems.forEach((p) => lines.push({ mapping, system, status: 'problem', ...p }));
  const skip = (mapping: string, system: PreflightLine['system'], env: string) =>
    lines.push({ mapping, system, status: 'skipped', problem: `${system} is not configured (dry-run)`, fix: `set ${env} to check it` });

  for (const m of mappings) {
    if (checks.crm) {
      const stages = [m.trigger.stage, ...(m.prepare ? [m.prepare.stage] : [])];
      add(m.name, 'hubspot', await checks.crm.preflight({ mapping: m.name, dealProperties: referencedProperties([m]).deal, pipeline: m.trigger.pipeline, stages }));
    } else skip(m.name, 'hubspot', 'HUBSPOT_ACCESS_TOKEN');

    const emails = staticEmails(m);
    const tool = m.work.tool;
    const workTool = checks.workTools[tool];
    if (workTool) {
      const fields = [...new Set(m.work.tasks.flatMap((t) => Object.keys(t.fields)))];
      add(m.name, tool, await workTool.preflight({ mapping: m.name, project: m.work.project, fields, emails }));
    } else skip(m.name, tool, WORK_TOOL_SETTINGS[tool]);

    if (checks.chat) add(m.name, 'slack', await checks.chat.preflight({ channels: staticChannels(m, config), emails }));
    else skip(m.name, 'slack', 'SLACK_BOT_TOKEN');
  }
  return lines;
}

export function formatPreflightLine(l: PreflightLine): string {
  return l.status === 'skipped'
    ? `skip  ${l.mapping} ${l.system}: ${l.problem} (${l.fix})`
    : `FAIL  ${l.mapping} ${l.system}: ${l.problem} → ${l.fix}`;
}
