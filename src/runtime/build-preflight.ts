// The live checks of `baton validate --live` (src/handoff/preflight-ports.ts), one per system with credentials.
// A handful of reads: no shared limiter (and so no Redis) and no circuit breaker needed for a one-off check.
import type { BatonConfig } from '../config/read-env-options.js';
import type { PreflightPorts } from '../handoff/preflight-ports.js';
import { unlimited } from '../../connectors/common/rate-limiter.js';
import { hubspotPreflight } from '../../connectors/hubspot/hubspot-preflight.js';
import { createJiraWorkTool } from '../../connectors/jira/jira-work-tool.js';
import { createAsanaWorkTool } from '../../connectors/asana/asana-work-tool.js';
import { createSlackChat } from '../../connectors/slack/slack-chat.js';

export function buildPreflight(config: BatonConfig): PreflightPorts {
  const limiter = unlimited;
  const timeoutMs = config.httpTimeoutMs;
  const { hubspot: hs, jira, asana, slack } = config;
  const hubspotToken = hs.accessToken;
  return {
    crm: hubspotToken
      ? { preflight: (req) => hubspotPreflight({ accessToken: hubspotToken, basePath: hs.apiBaseUrl, limiter, requestsPerSecond: config.rates.hubspot, timeoutMs }, req) }
      : null,
    workTools: {
      jira: jira.baseUrl && jira.email && jira.apiToken
        ? createJiraWorkTool({ baseUrl: jira.baseUrl, email: jira.email, apiToken: jira.apiToken, limiter, requestsPerSecond: config.rates.jira, timeoutMs })
        : null,
      asana: asana.accessToken
        ? createAsanaWorkTool({ accessToken: asana.accessToken, baseUrl: asana.baseUrl, workspaceGid: asana.workspaceGid, limiter, requestsPerSecond: config.rates.asana, timeoutMs })
        : null,
    },
    chat: slack.botToken
      ? createSlackChat({ token: slack.botToken, apiUrl: slack.apiUrl, limiter, requestsPerSecond: config.rates.slack, messagesPerSecondPerChannel: config.rates.slackPerChannel, timeoutMs })
      : null,
  };
}
