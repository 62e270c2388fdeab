// The intro post a handoff turns into, for dry-run records and `baton preview` (pure): people named in plain
// text, as the live connector names them when Slack does not know their email (no lookups here).
import type { PlanIntroRequest } from '../../src/handoff/planned-request-ports.js';
import { buildIntroText, mentionOrName } from './intro-text.js';
import { INTRO_EVENT_TYPE } from './slack-chat.js';

export const plannedSlackIntro: PlanIntroRequest = ({ intro, people, handoffId }) => ({
  method: 'chat.postMessage',
  body: {
    channel: intro.channel,
    ...(intro.threadTs ? { thread_ts: intro.threadTs } : {}),
    text: buildIntroText(intro.text, mentionOrName(people.sales_rep, null), mentionOrName(people.project_lead, null)),
    parse: 'none',
    unfurl_links: false,
    metadata: { event_type: INTRO_EVENT_TYPE, event_payload: { handoff_id: handoffId } },
  },
});
