// POST /slack/interactions — Slack's interactivity endpoint (bolt-js's "receiver": transport only).
// The v0 signature is checked over the raw form bytes first (5-minute window, constant time; 401
// otherwise), by the Slack connector's verifier (connectors/slack/slack-request-verifier.ts). Button clicks become durable jobs (acks, snoozes); the feedback button opens the modal
// right away (its trigger_id lives ~3 s); a modal submission is checked and queued, or sent back with
// the errors shown next to the fields.
import express, { type Request, type Response, type Router } from 'express';
import type { BatonQueues } from '../queue/queues.js';
import type { Store } from '../store/database.js';
import type { Logger } from '../log/create-logger.js';
import type { ChatConnector } from '../handoff/ports.js';
import type { RequestVerifier } from '../handoff/inbound-ports.js';
import { DEFAULT_JOB_OPTIONS, jobIdFor } from '../queue/queues.js';
import { enqueueEscalationAction, enqueueFeedbackAnswers } from '../queue/enqueue.js';
import type { EscalationActionJob } from '../queue/job-schemas.js';
import { ACK_ACTION_ID, SNOOZE_ACTION_ID, decodeEscalationRef } from '../watch/escalation-message.js';
import { FEEDBACK_OPEN_ACTION_ID, FEEDBACK_VIEW_CALLBACK_ID, blockIdFor, buildFeedbackModal, readModalAnswers } from '../watch/feedback-messages.js';
import { checkAnswers } from '../watch/feedback-questions.js';
import { getFeedbackRequest } from '../store/feedback-repo.js';
import { getHandoff } from '../store/handoff-repo.js';

export interface SlackInteractionsDeps {
  /** Checks the request's signature (SLACK_SIGNING_SECRET; without it every request is refused). */
  verifier: RequestVerifier;
  queues: BatonQueues;
  store: Store;
  chat?: ChatConnector;
  logger: Logger;
  now?: () => number;
}

interface SlackUser {
  id?: string;
  name?: string;
  username?: string;
}

export function slackInteractionsRouter(deps: SlackInteractionsDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;

  router.post('/slack/interactions', express.raw({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = deps.verifier.verify({ method: req.method, url: req.originalUrl, rawBody, headers: req.headers, nowMs: now() });
    if (!check.ok) {
      deps.logger.warn({ reason: check.reason }, 'slack interaction rejected');
      res.status(401).json({ error: `invalid signature: ${check.reason}` });
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(new URLSearchParams(rawBody.toString('utf8')).get('payload') ?? '') as Record<string, unknown>;
    } catch {
      res.status(400).json({ error: 'expected a form field `payload` holding JSON' });
      return;
    }
    const user = (payload.user ?? {}) as SlackUser;
    try {
      if (payload.type === 'block_actions') {
        await handleActions(deps, payload, user, now);
        res.status(200).end();
        return;
      }
      if (payload.type === 'view_submission') {
        const out = await handleSubmission(deps, payload, user);
        if (out) res.status(200).json(out);
        else res.status(200).end();
        return;
      }
    } catch (e) {
      deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not handle a slack interaction');
      res.status(503).json({ error: 'could not record the interaction, retry later' });
      return;
    }
    res.status(200).end(); // other interaction types are not Baton's
  });

  return router;
}

async function handleActions(deps: SlackInteractionsDeps, payload: Record<string, unknown>, user: SlackUser, now: () => number): Promise<void> {
  const actions = Array.isArray(payload.actions) ? (payload.actions as Record<string, unknown>[]) : [];
  for (const action of actions) {
    const id = action.action_id;
    if (id === ACK_ACTION_ID || id === SNOOZE_ACTION_ID) {
      const ref = decodeEscalationRef(action.value);
      if (!ref || !user.id) continue;
      const job: EscalationActionJob = {
        action: id === ACK_ACTION_ID ? 'ack' : 'snooze',
        ref,
        user: { id: user.id, name: user.name ?? user.username ?? null },
        at: new Date(now()).toISOString(),
      };
      await enqueueEscalationAction(deps.queues, job);
    } else if (id === FEEDBACK_OPEN_ACTION_ID && typeof action.value === 'string' && typeof payload.trigger_id === 'string') {
      const request = await getFeedbackRequest(deps.store, action.value);
      const handoff = request ? await getHandoff(deps.store, action.value) : null;
      if (!request || !handoff || request.status === 'answered' || request.status === 'skipped' || !deps.chat?.openView) continue;
      await deps.chat.openView(payload.trigger_id, buildFeedbackModal({ handoffId: handoff.id, title: handoff.title, questions: request.questions }));
    }
  }
}

async function handleSubmission(deps: SlackInteractionsDeps, payload: Record<string, unknown>, user: SlackUser): Promise<Record<string, unknown> | null> {
  const view = (payload.view ?? {}) as { callback_id?: unknown; private_metadata?: unknown; state?: { values?: unknown } };
  if (view.callback_id !== FEEDBACK_VIEW_CALLBACK_ID || typeof view.private_metadata !== 'string') return null;
  const request = await getFeedbackRequest(deps.store, view.private_metadata);
  if (!request) return { response_action: 'clear' };
  const raw = readModalAnswers(request.questions, view.state?.values);
  const { errors } = checkAnswers(request.questions, raw);
  if (Object.keys(errors).length > 0) {
    const byBlock = Object.fromEntries(request.questions.filter((q) => errors[q.id]).map((q) => [blockIdFor(q), errors[q.id]]));
    return { response_action: 'errors', errors: byBlock };
  }
  await enqueueFeedbackAnswers(deps.queues, { handoffId: request.handoffId, raw, by: user.id ?? 'unknown', via: 'slack' });
  return { response_action: 'clear' };
}
