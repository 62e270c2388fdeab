// Chooses live or dry-run per connector: credentials present → live (through the shared Redis rate
// limiter and circuit breaker); absent → dry-run (records what it would send). One place decides, so the
// dashboard and logs can say which is which. It also builds the one connector registry the jobs look
// connectors up in (src/handoff/connector-registry.ts): one line per CRM, work tool and client channel.
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import type { Logger } from '../log/create-logger.js';
import type { ChatConnector, CrmConnector, CrmWriter, DryRunSink, WorkToolConnector } from '../handoff/ports.js';
import { createConnectorRegistry, type ConnectorRegistry } from '../handoff/connector-registry.js';
import { createRedisRateLimiter, DEFAULT_MAX_INLINE_WAIT_MS, type RateLimiter } from '../../connectors/common/rate-limiter.js';
import { createRedisCircuitBreaker, type CircuitBreaker } from '../../connectors/common/circuit-breaker.js';
import { connectorOfKey, type Metrics } from '../observability/metrics.js';
import { createHubSpotCrm, HUBSPOT_DEFAULT_PIPELINE } from '../../connectors/hubspot/hubspot-crm.js';
import { createHubSpotWriter } from '../../connectors/hubspot/hubspot-writer.js';
import { createJiraWorkTool } from '../../connectors/jira/jira-work-tool.js';
import { createAsanaWorkTool } from '../../connectors/asana/asana-work-tool.js';
import { createSlackChat } from '../../connectors/slack/slack-chat.js';
import { createSampleDealsCrm } from '../../connectors/sample/sample-deals-crm.js';
import { createDryRunChat, createDryRunCrmWriter, createDryRunWorkTool } from '../../connectors/dry-run/dry-run-connectors.js';
import { requestPlanners } from './request-planners.js';

export interface Connectors {
  limiter: RateLimiter;
  breaker: CircuitBreaker;
  crm: CrmConnector;
  sampleCrm: CrmConnector | null;
  workTools: Record<'jira' | 'asana', WorkToolConnector>;
  chat: ChatConnector;
  crmWriter: CrmWriter;
  /** What the jobs use: the connectors above, looked up by the name a deal, plan or intro gives. */
  registry: ConnectorRegistry;
}

export function buildConnectors(config: BatonConfig, redis: Redis, sink: DryRunSink, logger: Logger, metrics?: Metrics): Connectors {
  const limiter = createRedisRateLimiter(redis, config.queuePrefix, metrics && {
    onSlot: (key, waitedMs) => metrics.rateLimitWait.observe({ connector: connectorOfKey(key) }, waitedMs / 1000),
  });
  const timeoutMs = config.httpTimeoutMs;
  const breaker = createRedisCircuitBreaker(
    redis,
    config.queuePrefix,
    // A probe may wait for limiter slots (HubSpot search takes two) and then a whole timeout before another may probe.
    { ...config.circuit, probeLeaseMs: timeoutMs + 2 * DEFAULT_MAX_INLINE_WAIT_MS },
    {
      onTransition: (connector, to) => {
        metrics?.circuitTransitions.inc({ connector, to });
        logger[to === 'open' ? 'warn' : 'info']({ connector, circuit: to }, `circuit for ${connector} ${to === 'open' ? `opened: not calling it for ${config.circuit.openMs / 1000} s` : `is ${to}`}`);
      },
    },
  );
  const hs = config.hubspot;
  const crm = createHubSpotCrm({ accessToken: hs.accessToken, basePath: hs.apiBaseUrl, portalId: hs.portalId, logger, limiter, breaker, requestsPerSecond: config.rates.hubspot, timeoutMs });
  const { jira, slack, asana } = config;
  const sampleCrm = config.sampleDealsDir ? createSampleDealsCrm(config.sampleDealsDir, [HUBSPOT_DEFAULT_PIPELINE]) : null;
  const workTools = {
    jira:
      jira.baseUrl && jira.email && jira.apiToken
        ? createJiraWorkTool({ baseUrl: jira.baseUrl, email: jira.email, apiToken: jira.apiToken, limiter, breaker, requestsPerSecond: config.rates.jira, timeoutMs, logger, searchSettleMs: jira.searchSettleMs })
        : createDryRunWorkTool('jira', sink, requestPlanners.work.jira),
    asana: asana.accessToken
      ? createAsanaWorkTool({ accessToken: asana.accessToken, baseUrl: asana.baseUrl, workspaceGid: asana.workspaceGid, limiter, breaker, requestsPerSecond: config.rates.asana, timeoutMs, logger })
      : createDryRunWorkTool('asana', sink, requestPlanners.work.asana),
  };
  const chat = slack.botToken
    ? createSlackChat({ token: slack.botToken, apiUrl: slack.apiUrl, limiter, breaker, requestsPerSecond: config.rates.slack, messagesPerSecondPerChannel: config.rates.slackPerChannel, timeoutMs, logger })
    : createDryRunChat(sink, requestPlanners.intro);
  const crmWriter = hs.accessToken
    ? createHubSpotWriter({ accessToken: hs.accessToken, basePath: hs.apiBaseUrl, portalId: hs.portalId, limiter, breaker, requestsPerSecond: config.rates.hubspot, timeoutMs, logger })
    : createDryRunCrmWriter('hubspot', sink, requestPlanners.crmWrites);
  // The registry: keys are the names mappings and stored handoffs use (trigger.crm, work.tool, intro.tool).
  const registry = createConnectorRegistry({
    crms: { hubspot: { reader: crm, writer: crmWriter, samples: sampleCrm, accountId: hs.portalId } },
    workTools,
    clientChannels: { slack: chat },
    teamChat: chat,
  });
  return { limiter, breaker, crm, sampleCrm, workTools, chat, crmWriter, registry };
}
