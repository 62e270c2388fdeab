// Sign-in. Works without JavaScript; errors are announced (role=alert) and never say whether the
// name or the password was wrong.
import { html, type Html } from '../html.js';
import { layout, type PageContext } from '../layout.js';
import type { AuthProvider } from '../auth/auth-provider.js';

export function loginPage(
  ctx: PageContext,
  o: { loginCsrf: string; next: string; name?: string; error?: string; providers: AuthProvider[]; noUsers: boolean },
): Html {
  const form = o.providers.some((p) => p.kind === 'form');
  const redirects = o.providers.filter((p) => p.kind === 'redirect');
  const body = html`<div class="login panel">
<h1>Sign in to Baton</h1>
${o.error ? html`<p class="notice bad" role="alert">${o.error}</p>` : ''}
${o.noUsers ? html`<p class="notice">No dashboard users are configured. An operator sets BATON_USERS (see <code>baton user hash</code>).</p>` : ''}
${form
  ? html`<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${o.loginCsrf}">
<input type="hidden" name="next" value="${o.next}">
<div class="field"><label for="name">Name</label><input id="name" name="name" type="text" autocomplete="username" required value="${o.name ?? ''}"${o.name ? '' : html` autofocus`}></div>
<div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required${o.name ? html` autofocus` : ''}></div>
<button type="submit">Sign in</button>
</form>`
  : ''}
${redirects.map((p) => html`<p><a class="button" href="/login/${p.id}?next=${encodeURIComponent(o.next)}">${p.label}</a></p>`)}
</div>`;
  return layout(ctx, 'Sign in', body);
}
