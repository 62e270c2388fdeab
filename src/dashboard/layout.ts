// The page shell: skip link, navigation (Admin only for admins), who is signed in, sign-out form.
import { ASSETS } from './assets.js';
import { html, type Html } from './html.js';
import type { SignedInUser } from './auth/auth-provider.js';

export interface PageContext {
  user: SignedInUser | null;
  /** CSRF token of the session, for every form on the page. */
  csrf: string;
  /** The request path, to mark the current navigation entry. */
  path: string;
}

const NAV = [
  { href: '/', label: 'Handoffs', admin: false },
  { href: '/insights', label: 'Insights', admin: false },
  { href: '/admin', label: 'Admin', admin: true },
];

export const csrfField = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

function current(path: string, href: string): boolean {
  if (href === '/') return path === '/' || path.startsWith('/handoffs');
  return path === href || path.startsWith(`${href}/`);
}

export function layout(ctx: PageContext, title: string, body: Html, opts: { script?: boolean } = {}): Html {
  const nav = ctx.user
    ? html`<nav aria-label="Main"><ul>${NAV.filter((n) => !n.admin || ctx.user?.role === 'admin').map(
        (n) => html`<li><a href="${n.href}"${current(ctx.path, n.href) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}</ul></nav>
<div class="who"><span>${ctx.user.name} <span class="muted">(${ctx.user.role})</span></span>
<form method="post" action="/logout">${csrfField(ctx)}<button type="submit">Sign out</button></form></div>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Baton</title>
<link rel="stylesheet" href="${ASSETS.css.path}">
${opts.script ? html`<script src="${ASSETS.js.path}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">Baton</a>${nav}</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}

export function errorPage(ctx: PageContext, status: number, message: string): Html {
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong';
  return layout(ctx, title, html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the handoffs</a></p>`);
}
