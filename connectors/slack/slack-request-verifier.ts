// The request verifier port (src/handoff/inbound-ports.ts) for Slack's interactivity requests: the v0
// signature with SLACK_SIGNING_SECRET and its 5-minute window (verify-request.ts).
import type { RequestVerifier } from '../../src/handoff/inbound-ports.js';
import { headerValue } from '../common/header-value.js';
import { verifySlackRequest } from './verify-request.js';

/** An empty secret refuses every request ("no signing secret configured"). */
export function createSlackRequestVerifier(signingSecret: string): RequestVerifier {
  return {
    verify: (req) =>
      verifySlackRequest({
        rawBody: req.rawBody,
        signature: headerValue(req.headers, 'x-slack-signature'),
        timestamp: headerValue(req.headers, 'x-slack-request-timestamp'),
        signingSecret,
        nowMs: req.nowMs,
      }),
  };
}
