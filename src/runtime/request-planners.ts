// Every connector's "what would be sent" builders, by role: the dry-run connectors record them and
// `baton preview` prints them (src/handoff/planned-request-ports.ts). A new work tool or CRM adds its line here.
import type { RequestPlanners } from '../handoff/planned-request-ports.js';
import { plannedJiraRequests } from '../../connectors/jira/planned-requests.js';
import { plannedAsanaRequests } from '../../connectors/asana/planned-requests.js';
import { plannedSlackIntro } from '../../connectors/slack/planned-requests.js';
import { plannedHubSpotWrites } from '../../connectors/hubspot/write-requests.js';

export const requestPlanners: RequestPlanners = {
  work: { jira: plannedJiraRequests, asana: plannedAsanaRequests },
  intro: plannedSlackIntro,
  crmWrites: plannedHubSpotWrites,
};
