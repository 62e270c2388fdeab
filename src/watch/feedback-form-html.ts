// The web feedback form (fallback to the Slack modal): a plain HTML page with the mapping's questions,
// every piece of text HTML-escaped. Pure.
import type { FeedbackQuestion } from '../mapping/schema.js';
import { escapeHtml } from '../handoff/escape.js';
import { questionOptions } from './feedback-questions.js';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}fieldset{border:0;padding:0;margin:0 0 1.5rem}legend{font-weight:600}textarea{width:100%;min-height:6rem}.error{color:#b00020}</style></head><body>${body}</body></html>`;
}

export function renderFeedbackForm(o: { title: string; questions: FeedbackQuestion[]; action: string; errors?: Record<string, string>; values?: Record<string, string | null | undefined> }): string {
  const fields = o.questions.map((q) => {
    const name = `q_${q.id}`;
    const current = o.values?.[q.id] ?? '';
    const error = o.errors?.[q.id] ? `<p class="error">${escapeHtml(o.errors[q.id] ?? '')}</p>` : '';
    const input =
      q.type === 'text'
        ? `<textarea name="${escapeHtml(name)}" maxlength="3000">${escapeHtml(current)}</textarea>`
        : questionOptions(q)
            .map(([value, label]) => `<label><input type="radio" name="${escapeHtml(name)}" value="${escapeHtml(value)}"${current === value ? ' checked' : ''}${q.required ? ' required' : ''}> ${escapeHtml(label)}</label><br>`)
            .join('');
    return `<fieldset><legend>${escapeHtml(q.text)}${q.required ? ' *' : ''}</legend>${error}${input}</fieldset>`;
  });
  return page('Handoff feedback', `<h1>Handoff feedback</h1><p>${escapeHtml(o.title)}</p><form method="post" action="${escapeHtml(o.action)}">${fields.join('')}<button type="submit">Send</button></form>`);
}

export function renderFeedbackMessage(heading: string, text: string): string {
  return page(heading, `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p>`);
}
