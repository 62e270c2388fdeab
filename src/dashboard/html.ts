// A tiny HTML builder: interpolated values are escaped unless they are already Html. Deal fields are
// written by clients and reps, so escaping is the default and opting out (raw) is the visible exception.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

import { escapeHtml } from '../handoff/escape.js';

export { escapeHtml };

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** html`<p>${userText}</p>`: every interpolation is escaped; arrays are concatenated; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup (our own SVG, constant strings). Never pass client text here. */
export function raw(text: string): Html {
  return new Html(text);
}

export function join(parts: readonly Html[], separator: Html | string = ''): Html {
  return new Html(parts.map((p) => p.text).join(separator instanceof Html ? separator.text : escapeHtml(separator)));
}

/**
 * An href from data: only http(s), mailto and same-site paths survive, so a deal field holding
 * "javascript:…" can never become a link that runs code.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  const t = url.trim();
  if (t.startsWith('/') && !t.startsWith('//') && !t.startsWith('/\\')) return t;
  try {
    const u = new URL(t);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.toString() : null;
  } catch {
    return null;
  }
}
