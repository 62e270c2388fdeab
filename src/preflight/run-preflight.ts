// `baton validate --live`: check each mapping against the connected systems before the first deal
// arrives. One problem per line, each with the fix. Systems without credentials are reported as
// skipped (they run in dry-run), not as failures. The admin page shows the same list.
import type { BatonConfig } from '../config/read-env-options.js';
import type { Mapping } from '../mapping/schema.js';
import { referencedProperties } from '../mapping/trigger.js';
import type { RateLimiter } from '../../connectors/common/rate-limiter.js';
import { hubspotPreflight } from '../../connectors/hubspot/hubspot-preflight.js';
import { createJiraWorkTool } from '../../connectors/jira/jira-work-tool.js';
import { createAsanaWorkTool } from '../../connectors/asana/asana-work-tool.js';
import { createSlackChat } from '../../connectors/slack/slack-chat.js';

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

export async function runPreflight(config: BatonConfig, mappings: Mapping[], limiter: RateLimiter): Promise<PreflightLine[]> {
  const lines: PreflightLine[] = [];
  const timeoutMs = config.httpTimeoutMs;
  const add = (mapping: string, system: PreflightLine['system'], problems: { problem: string; fix: string }[]) =>
    problems.forEach((p) => lines.push({ mapping, system, status: 'problem', ...p }));
  const skip = (mapping: string, system: PreflightLine['system'], env: string) =>
    lines.push({ mapping, system, status: 'skipped', problem: `${system} is not configured (dry-run)`, fix: `set ${env} to check it` });

  const { hubspot: hs, jira, asana, slack } = config;
  const jiraTool = jira.baseUrl && jira.email && jira.apiToken
    ? createJiraWorkTool({ baseUrl: jira.baseUrl, email: jira.email, apiToken: jira.apiToken, limiter, requestsPerSecond: config.rates.jira, timeoutMs })
    : null;
  const asanaTool = asana.accessToken
    ? createAsanaWorkTool({ accessToken: asana.accessToken, baseUrl: asana.baseUrl, workspaceGid: asana.workspaceGid, limiter, requestsPerSecond: config.rates.asana, timeoutMs })
    : null;
  const chat = slack.botToken
    ? createSlackChat({ token: slack.botToken, apiUrl: slack.apiUrl, limiter, requestsPerSecond: config.rates.slack, messagesPerSecondPerChannel: config.rates.slackPerChannel, timeoutMs })
    : null;

  for (const m of mappings) {
    if (hs.accessToken) {
      const stages = [m.trigger.stage, ...(m.prepare ? [m.prepare.stage] : [])];
      add(m.name, 'hubspot', await hubspotPreflight(
        { accessToken: hs.accessToken, basePath: hs.apiBaseUrl, limiter, requestsPerSecond: config.rates.hubspot, timeoutMs },
        { mapping: m.name, dealProperties: referencedProperties([m]).deal, pipeline: m.trigger.pipeline, stages },
      ));
    } else skip(m.name, 'hubspot', 'HUBSPOT_ACCESS_TOKEN');

    const emails = staticEmails(m);
    if (m.work.tool === 'jira') {
      if (jiraTool) {
        const fields = [...new Set(m.work.tasks.flatMap((t) => Object.keys(t.fields)))];
        add(m.name, 'jira', await jiraTool.preflight({ mapping: m.name, project: m.work.project, fields, emails }));
      } else skip(m.name, 'jira', 'JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN');
    } else if (asanaTool) {
      add(m.name, 'asana', await asanaTool.preflight({ mapping: m.name, project: m.work.project, emails }));
    } else skip(m.name, 'asana', 'ASANA_ACCESS_TOKEN');

    if (chat) add(m.name, 'slack', await chat.preflight({ channels: staticChannels(m, config), emails }));
    else skip(m.name, 'slack', 'SLACK_BOT_TOKEN');
  }
  return lines;
}

export function formatPreflightLine(l: PreflightLine): string {
  return l.status === 'skipped'
    ? `skip  ${l.mapping} ${l.system}: ${l.problem} (${l.fix})`
    : `FAIL  ${l.mapping} ${l.system}: ${l.problem} → ${l.fix}`;
}
