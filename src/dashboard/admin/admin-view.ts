// What the admin page shows, read once for the page and for /api/dashboard/admin: each connector's mode,
// rate, limiter backlog, circuit and last error; failed and dead-lettered work; the mappings and the
// validation errors of rejected ones.
import type { DashboardDeps } from '../dashboard-deps.js';
import type { AdminView, ConnectorStatus } from '../pages/admin-page.js';
import { countInbox, INBOX_STUCK_AFTER_MS } from '../../store/inbox-repo.js';
import { lastStepError, queryFailedChecks, queryFailedSteps, rateLimitBacklogMs } from '../queries/admin-query.js';
import { listDeadJobs } from '../../queue/dead-letter.js';

export type AdminViewDeps = Pick<DashboardDeps, 'config' | 'connectors' | 'store' | 'redis' | 'queues' | 'mappings' | 'mappingErrors'>;

export async function adminView(deps: AdminViewDeps): Promise<AdminView> {
  const { config, connectors: c, store, redis } = deps;
  const backlog = (key: string) => rateLimitBacklogMs(redis, config.queuePrefix, key).catch(() => null);
  const circuit = (name: string, mode: 'live' | 'dry-run') => (mode === 'live' ? c.breaker.inspect(name).catch(() => null) : Promise.resolve(null));
  const usingTool = (tool: 'jira' | 'asana') => deps.mappings().filter((m) => m.mapping.work.tool === tool).map((m) => m.mapping.name);
  const [failed, failedChecks, stuckInbox, dead, jiraErr, asanaErr, introErr, writeErr, hsBacklog, jiraBacklog, asanaBacklog, slackBacklog, hsCircuit, jiraCircuit, asanaCircuit, slackCircuit] = await Promise.all([
    queryFailedSteps(store),
    queryFailedChecks(store),
    countInbox(store, { status: 'pending', receivedBefore: new Date(Date.now() - INBOX_STUCK_AFTER_MS) }),
    listDeadJobs(deps.queues.all()),
    lastStepError(store, 'create-work', usingTool('jira')),
    lastStepError(store, 'create-work', usingTool('asana')),
    lastStepError(store, 'post-intro'),
    lastStepError(store, 'write-back'),
    backlog('hubspot'),
    backlog('jira'),
    backlog('asana'),
    backlog('slack'),
    circuit('hubspot', c.crm.mode === 'live' || c.crmWriter.mode === 'live' ? 'live' : 'dry-run'),
    circuit('jira', c.workTools.jira.mode),
    circuit('asana', c.workTools.asana.mode),
    circuit('slack', c.chat.mode),
  ]);
  const connectors: ConnectorStatus[] = [
    { role: 'CRM (read deals)', system: c.crm.crm, mode: c.crm.mode, rate: config.rates.hubspot, backlogMs: hsBacklog, circuit: c.crm.mode === 'live' ? hsCircuit : null, lastError: null },
    { role: 'Delivery work', system: 'jira', mode: c.workTools.jira.mode, rate: config.rates.jira, backlogMs: jiraBacklog, circuit: jiraCircuit, lastError: jiraErr },
    { role: 'Delivery work', system: 'asana', mode: c.workTools.asana.mode, rate: config.rates.asana, backlogMs: asanaBacklog, circuit: asanaCircuit, lastError: asanaErr },
    { role: 'Client intro', system: c.chat.tool, mode: c.chat.mode, rate: config.rates.slack, backlogMs: slackBacklog, circuit: slackCircuit, lastError: introErr },
    { role: 'CRM write-back', system: c.crmWriter.crm, mode: c.crmWriter.mode, rate: config.rates.hubspot, backlogMs: hsBacklog, circuit: c.crmWriter.mode === 'live' ? hsCircuit : null, lastError: writeErr },
  ];
  return { connectors, failed, failedChecks, stuckInbox, dead, mappings: deps.mappings(), mappingErrors: deps.mappingErrors(), crmLive: c.crm.mode === 'live' };
}
