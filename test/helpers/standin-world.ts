// Local stand-ins for HubSpot, Jira and Slack seeded with closed deals the default mapping can hand off,
// plus the env that points a whole Baton at them with live connectors. Used by e2e tests and the bench.
import { startHubSpotStandin } from '../standins/hubspot-standin.js';
import { startJiraStandin, STANDIN_EMAIL, STANDIN_TOKEN as JIRA_TOKEN } from '../standins/jira-standin.js';
import { startSlackStandin, STANDIN_TOKEN as SLACK_TOKEN } from '../standins/slack-standin.js';

export const PEOPLE = {
  rep: { email: 'sam.rep@baton.example', first: 'Sam', last: 'Rep', slack: 'U0REP0001', jira: '5b10ac8d82e05b22cc7d0001' },
  lead: { email: 'priya.lead@baton.example', first: 'Priya', last: 'Lead', slack: 'U0LEAD001', jira: '5b10ac8d82e05b22cc7d0002' },
  ops: { email: 'delivery-ops@example.com', first: 'Delivery', last: 'Ops', slack: 'U0OPS0001', jira: '5b10ac8d82e05b22cc7d0003' },
  billing: { email: 'billing@example.com', first: 'Billing', last: 'Team', slack: 'U0BILL001', jira: '5b10ac8d82e05b22cc7d0004' },
};

export interface WorldOptions {
  deals: number;
  /** Per-second limits the stand-ins enforce with 429 + Retry-After (undefined = unlimited). */
  rates?: { hubspot?: number; jira?: number; slackPerChannel?: number };
  /** Deals whose client thread already exists (baton_client_thread_ts set). */
  withThread?: boolean;
}

export async function startWorld(opts: WorldOptions) {
  const hubspot = await startHubSpotStandin({ ratePerSecond: opts.rates?.hubspot });
  const jira = await startJiraStandin({
    ratePerSecond: opts.rates?.jira,
    users: Object.values(PEOPLE).map((p) => ({ accountId: p.jira, displayName: `${p.first} ${p.last}`, emailAddress: p.email })),
  });
  const channels = Array.from({ length: opts.deals }, (_, i) => ({ id: channelId(i), name: `client-${i}`, member: true }));
  const slack = await startSlackStandin({
    ratePerSecond: opts.rates?.slackPerChannel ?? 1,
    channels,
    users: Object.values(PEOPLE).map((p) => ({ id: p.slack, email: p.email, name: `${p.first} ${p.last}` })),
  });
  hubspot.addOwner({ id: '501', userId: 9501, email: PEOPLE.rep.email, firstName: PEOPLE.rep.first, lastName: PEOPLE.rep.last });
  const dealIds: string[] = [];
  for (let i = 0; i < opts.deals; i++) {
    const id = String(5000 + i);
    hubspot.addCompany(`9${id}`, { name: `Client ${i} GmbH`, domain: `client${i}.example` });
    hubspot.addContact(`7${id}`, { email: `buyer${i}@client${i}.example`, firstname: 'Alex', lastname: `Buyer${i}` });
    hubspot.addDeal({
      id,
      companyIds: [`9${id}`],
      contactIds: [`7${id}`],
      properties: {
        dealname: `Rollout ${i}`,
        amount: String(10_000 + i),
        dealstage: 'contractsent',
        pipeline: 'default',
        dealtype: 'newbusiness',
        hubspot_owner_id: '501',
        baton_scope: 'Analytics rollout for 3 units',
        baton_scope_deviations: 'Custom SAP connector',
        baton_promised_timeline: 'Kickoff in two weeks',
        baton_kickoff_target: '2026-12-07',
        baton_first_deliverable_date: '2027-01-15',
        baton_risks: 'IT team stretched <!channel> until January',
        baton_billing_terms: 'Net 30',
        baton_payment_schedule: '50/50',
        baton_verbal_commitments: 'Weekly status call',
        baton_comm_preferences: 'Slack',
        baton_client_slack_channel: channelId(i),
        baton_client_thread_ts: null,
        baton_project_lead_email: PEOPLE.lead.email,
        baton_delivery_stakeholders: 'Priya, Tom',
      },
    });
    dealIds.push(id);
  }
  return {
    hubspot,
    jira,
    slack,
    dealIds,
    /** Env for a Baton whose connectors are all live against these stand-ins. */
    env: {
      HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
      HUBSPOT_API_BASE_URL: hubspot.url,
      HUBSPOT_PORTAL_ID: String(hubspot.portalId),
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: STANDIN_EMAIL,
      JIRA_API_TOKEN: JIRA_TOKEN,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
      BATON_SAMPLE_DEALS_DIR: '',
    } as Record<string, string>,
    async close() {
      await Promise.all([hubspot.close(), jira.close(), slack.close()]);
    },
  };
}

export const channelId = (i: number) => `C${String(i).padStart(8, '0')}`;
