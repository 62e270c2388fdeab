// Every watching-path chat post (escalations and the replies under them, DMs, client updates) goes through its
// claim record in the store (src/store/chat-post-repo.ts), the first line of idempotency for these posts: a post
// never attempted goes straight out (no channel history read, so no *:history scope and no paging), a post
// already made is returned from the record, and only a post whose earlier request may have gone out without
// Baton learning its ts lets the chat connector search for its marker, from the moment of that request on.
import type { ChannelMessageRequest, ChatConnector, ClientChannel, DirectMessageRequest, PostedMessage, StepProgress } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import { claimChatPost, markChatPostAttempted, recordChatPost } from '../src/store/chat-post-repo.js';

type Unclaimed<T> = Omit<T, 'progress'>;

/**
 * postMessage through its claim, on the team chat unless `via` is another channel (the client channel, for
 * client updates). The caller checks `postMessage` exists.
 */
export async function postMessageOnce(
  deps: Pick<JobDeps, 'store' | 'connectors'>,
  req: Unclaimed<ChannelMessageRequest>,
  via: Pick<ClientChannel, 'tool' | 'postMessage'> = deps.connectors.teamChat,
): Promise<PostedMessage> {
  const post = via.postMessage;
  if (!post) throw new Error(`the ${via.tool} connector cannot post to channels`);
  const progress = await claimProgress(deps, req);
  const posted = await post.call(via, { ...req, progress });
  await progress.save({ ...posted });
  return posted;
}

/** A DM through its claim; `skipped` (no such person) leaves the claim unattempted. */
export async function sendDirectMessageOnce(deps: Pick<JobDeps, 'store' | 'connectors'>, req: Unclaimed<DirectMessageRequest>): ReturnType<ChatConnector['sendDirectMessage']> {
  const progress = await claimProgress(deps, req);
  const sent = await deps.connectors.teamChat.sendDirectMessage({ ...req, progress });
  if (!('skipped' in sent)) await progress.save({ channel: sent.channel, ts: sent.ts, threadTs: null });
  return sent;
}

async function claimProgress(deps: Pick<JobDeps, 'store'>, req: { idempotencyKey: string; handoffId: string }): Promise<StepProgress> {
  const claim = await claimChatPost(deps.store, req);
  const saved: Record<string, unknown> = claim.message ? { ...claim.message } : {};
  return {
    firstAttempt: claim.attemptedAt === null,
    ...(claim.attemptedAt ? { attemptedAt: claim.attemptedAt } : {}),
    attempting: () => markChatPostAttempted(deps.store, req.idempotencyKey),
    saved,
    async save(ids) {
      Object.assign(saved, ids);
      const { channel, ts, threadTs } = saved;
      if (typeof channel === 'string' && typeof ts === 'string') {
        await recordChatPost(deps.store, req.idempotencyKey, { channel, ts, threadTs: typeof threadTs === 'string' ? threadTs : null });
      }
    },
  };
}
