// The connectors' side of the HTTP receivers (src/handoff/inbound-ports.ts): who verifies and normalises each
// sender's requests, with the configured secrets. A CRM or tool whose secret is not set gets null: its receiver
// refuses every delivery and names the setting. A second CRM is one more line here.
import type { BatonConfig } from '../config/read-env-options.js';
import type { InboundPorts } from '../http/create-app.js';
import { createHubSpotWebhook } from '../../connectors/hubspot/hubspot-webhook.js';
import { createJiraWebhook } from '../../connectors/jira/jira-webhook.js';
import { createAsanaWebhook } from '../../connectors/asana/asana-webhook.js';
import { createSlackRequestVerifier } from '../../connectors/slack/slack-request-verifier.js';

export function buildInbound(config: BatonConfig): InboundPorts {
  const { hubspot, watch, slack } = config;
  return {
    crm: hubspot.clientSecret ? createHubSpotWebhook({ clientSecret: hubspot.clientSecret, signatureVersions: hubspot.signatureVersions }) : null,
    jira: watch.jiraWebhookSecret ? createJiraWebhook(watch.jiraWebhookSecret) : null,
    asana: createAsanaWebhook(),
    slack: createSlackRequestVerifier(slack.signingSecret ?? ''),
  };
}
