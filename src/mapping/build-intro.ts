// The Slack intro in the client's thread: the mapping's message with every CRM value escaped for
// mrkdwn before interpolation, so `<!channel>` or `<https://evil|click>` in a deal field stays text.
// The admin-written template itself may use mrkdwn (*bold*, links).
import { escapeMrkdwn } from '../handoff/escape.js';
import type { IntroPlan } from '../handoff/types.js';
import type { TemplateContext } from './context.js';
import { renderAt, type RenderContext } from './render-at.js';
import type { Mapping } from './schema.js';

function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeMrkdwn(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  }
  return value;
}

/** A copy of the context with every string (deal, company, contacts, owner, people) mrkdwn-escaped. */
export function escapeContextForMrkdwn<T extends TemplateContext>(ctx: T): T {
  return escapeDeep(ctx) as T;
}

function blankToNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * `ctx` is the plain render context (channel and thread ts are ids, not text); the message gets the
 * escaped one plus `kickoff_due`.
 */
export function planIntro(mapping: Mapping, ctx: RenderContext, kickoffDue: string | null): IntroPlan {
  const thread = mapping.thread;
  if (!thread) return { tool: 'slack', channel: null, threadTs: null, text: '' };
  const channel = blankToNull(renderAt(mapping, ['thread', 'channel'], thread.channel, ctx));
  const threadTs = thread.thread_ts !== undefined ? blankToNull(renderAt(mapping, ['thread', 'thread_ts'], thread.thread_ts, ctx)) : null;
  const messageCtx = { ...escapeContextForMrkdwn(ctx), kickoff_due: kickoffDue ?? '' };
  const text = renderAt(mapping, ['thread', 'message'], thread.message, messageCtx).trim();
  return { tool: 'slack', channel, threadTs, text };
}
