// Chooses live or dry-run per connector: credentials present → live (through the shared Redis rate
// limiter); absent → dry-run (records what it would send). One place decides, so the dashboard and
// logs can say which is which.
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import type { Logger } from '../log/create-logger.js';
import type { ChatConnector, CrmConnector, CrmWriter, DryRunSink, WorkToolConnector } from '../../connectors/types.js';
import { createRedisRateLimiter, type RateLimiter } from '../../connectors/common/rate-limiter.js';
import { connectorOfKey, type Metrics } from '../observability/metrics.js';
import { createHubSpotCrm, HUBSPOT_DEFAULT_PIPELINE } from '../../connectors/hubspot/hubspot-crm.js';
import { createHubSpotWriter } from '../../connectors/hubspot/hubspot-writer.js';
import { createJiraWorkTool } from '../../connectors/jira/jira-work-tool.js';
import { createAsanaWorkTool } from '../../connectors/asana/asana-work-tool.js';
import { createSlackChat } from '../../connectors/slack/slack-chat.js';
import { createSampleDealsCrm } from '../../connectors/sample/sample-deals-crm.js';
import { createDryRunChat, createDryRunCrmWriter, createDryRunWorkTool } from '../../connectors/dry-run/dry-run-connectors.js';

export interface Connectors {
  limiter: RateLimiter;
  crm: CrmConnector;
  sampleCrm: CrmConnector | null;
  workTools: Record<'jira' | 'asana', WorkToolConnector>;
  chat: ChatConnector;
  crmWriter: CrmWriter;
}

export function buildConnectors(config: BatonConfig, redis: Redis, sink: DryRunSink, logger: Logger, metrics?: Metrics): Connectors {
  const limiter = createRedisRateLimiter(redis, config.queuePrefix, metrics && {
    onSlot: (key, waitedMs) => metrics.rateLimitWait.observe({ connector: connectorOfKey(key) }, waitedMs / 1000),
  });
  const timeoutMs = config.httpTimeoutMs;
  const hs = config.hubspot;
  const crm = createHubSpotCrm({ accessToken: hs.accessToken, basePath: hs.apiBaseUrl, portalId: hs.portalId, logger, limiter, requestsPerSecond: config.rates.hubspot, timeoutMs });
  const { jira, slack, asana } = config;
  return {
    limiter,
    crm,
    sampleCrm: config.sampleDealsDir ? createSampleDealsCrm(config.sampleDealsDir, [HUBSPOT_DEFAULT_PIPELINE]) : null,
    workTools: {
      jira:
        jira.baseUrl && jira.email && jira.apiToken
          ? createJiraWorkTool({ baseUrl: jira.baseUrl, email: jira.email, apiToken: jira.apiToken, limiter, requestsPerSecond: config.rates.jira, timeoutMs, logger })
          : createDryRunWorkTool('jira', sink),
      asana: asana.accessToken
        ? createAsanaWorkTool({ accessToken: asana.accessToken, baseUrl: asana.baseUrl, workspaceGid: asana.workspaceGid, limiter, requestsPerSecond: config.rates.asana, timeoutMs, logger })
        : createDryRunWorkTool('asana', sink),
    },
    chat: slack.botToken
      ? createSlackChat({ token: slack.botToken, apiUrl: slack.apiUrl, limiter, requestsPerSecond: config.rates.slack, messagesPerSecondPerChannel: config.rates.slackPerChannel, timeoutMs, logger })
      : createDryRunChat(sink),
    crmWriter: hs.accessToken
      ? createHubSpotWriter({ accessToken: hs.accessToken, basePath: hs.apiBaseUrl, portalId: hs.portalId, limiter, requestsPerSecond: config.rates.hubspot, timeoutMs, logger })
      : createDryRunCrmWriter('hubspot', sink),
  };
}
