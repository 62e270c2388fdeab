// GET/POST /feedback/:token — the web form for feedback (the fallback to the Slack modal). The token is
// the signed, expiring link from the DM (BATON_FEEDBACK_FORM_SECRET); without the secret configured the
// form does not exist (404). Answers are checked here (errors shown in the form) and queued; the worker
// stores the first submission and sends it on.
import express, { type Request, type Response, type Router } from 'express';
import type { BatonQueues } from '../queue/queues.js';
import type { Store } from '../store/database.js';
import type { Logger } from '../log/create-logger.js';
import { verifyFormToken } from '../watch/feedback-form-token.js';
import { renderFeedbackForm, renderFeedbackMessage } from '../watch/feedback-form-html.js';
import { checkAnswers } from '../watch/feedback-questions.js';
import { getFeedbackRequest, type FeedbackRow } from '../store/feedback-repo.js';
import { getHandoff } from '../store/handoff-repo.js';
import { enqueueFeedbackAnswers } from '../queue/enqueue.js';

export interface FeedbackFormDeps {
  secret: string | undefined;
  store: Store;
  queues: BatonQueues;
  logger: Logger;
  now?: () => number;
}

export function feedbackFormRouter(deps: FeedbackFormDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;

  const load = async (req: Request, res: Response): Promise<{ request: FeedbackRow; title: string } | null> => {
    if (!deps.secret) {
      res.status(404).type('html').send(renderFeedbackMessage('Not found', 'The web feedback form is not enabled.'));
      return null;
    }
    const check = verifyFormToken(deps.secret, String(req.params.token ?? ''), new Date(now()));
    if (!check.ok) {
      res.status(401).type('html').send(renderFeedbackMessage('Link not valid', `This feedback link cannot be used (${check.reason}). Use the button in Slack instead.`));
      return null;
    }
    const request = await getFeedbackRequest(deps.store, check.handoffId);
    const handoff = request ? await getHandoff(deps.store, check.handoffId) : null;
    if (!request || !handoff) {
      res.status(404).type('html').send(renderFeedbackMessage('Not found', 'There is no feedback request for this handoff.'));
      return null;
    }
    if (request.status === 'answered') {
      res.status(200).type('html').send(renderFeedbackMessage('Thank you', 'Feedback for this handoff was already sent.'));
      return null;
    }
    return { request, title: handoff.title };
  };

  router.get('/feedback/:token', async (req, res) => {
    const found = await load(req, res);
    if (!found) return;
    res.status(200).type('html').send(renderFeedbackForm({ title: found.title, questions: found.request.questions, action: req.originalUrl }));
  });

  router.post('/feedback/:token', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const found = await load(req, res);
    if (!found) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = Object.fromEntries(found.request.questions.map((q) => [q.id, typeof body[`q_${q.id}`] === 'string' ? (body[`q_${q.id}`] as string) : null]));
    const { errors } = checkAnswers(found.request.questions, raw);
    if (Object.keys(errors).length > 0) {
      res.status(400).type('html').send(renderFeedbackForm({ title: found.title, questions: found.request.questions, action: req.originalUrl, errors, values: raw }));
      return;
    }
    try {
      await enqueueFeedbackAnswers(deps.queues, { handoffId: found.request.handoffId, raw, by: found.request.askEmail ?? 'web form', via: 'web' });
    } catch (e) {
      deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not queue feedback answers');
      res.status(503).type('html').send(renderFeedbackMessage('Try again', 'Your answers could not be saved just now; please send the form again in a minute.'));
      return;
    }
    res.status(200).type('html').send(renderFeedbackMessage('Thank you', 'Your feedback was sent to the sales team.'));
  });

  return router;
}
