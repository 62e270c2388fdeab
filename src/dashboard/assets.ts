// The dashboard's stylesheet and its one script, served by Baton itself (no CDN: the dashboard must
// work offline on an intranet). Content-hashed URLs so they can be cached forever.
import { createHash } from 'node:crypto';

const CSS = `
:root { --fg:#1b1f24; --muted:#4b5563; --bg:#ffffff; --panel:#f6f7f9; --line:#d5d9e0; --accent:#1d4ed8;
  --bad:#b91c1c; --bad-bg:#fdecec; --warn:#92400e; --warn-bg:#fff4e0; --ok:#166534; --ok-bg:#e8f6ec; --focus:#f59e0b; }
* { box-sizing: border-box; }
html { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }

.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -999px; top: 0; background: #000; color: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1rem; background: #111827; color: #f9fafb; }
header.top .brand { font-weight: 700; font-size: 1.1rem; color: #fff; text-decoration: none; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
header.top nav a { color: #e5e7eb; text-decoration: none; padding: .25rem 0; border-bottom: 2px solid transparent; }
header.top nav a[aria-current="page"] { color: #fff; border-bottom-color: #60a5fa; }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; font-size: .9rem; }
header.top .who button { background: transparent; color: #e5e7eb; border: 1px solid #6b7280; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
form.filters label, .field label { display: block; font-size: .85rem; color: var(--muted); font-weight: 600; }
select, input[type=text], input[type=password], textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #8a94a3; border-radius: 4px; background: #fff; color: var(--fg); max-width: 100%; }
textarea { width: 100%; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
button, .button { font: inherit; background: var(--accent); color: #fff; border: 1px solid var(--accent); border-radius: 4px; padding: .35rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
.table-scroll { position: relative; overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); font-size: .8rem; text-transform: uppercase; letter-spacing: .02em; color: var(--muted); white-space: nowrap; }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: 0; }
tr.attention { background: var(--warn-bg); box-shadow: inset 4px 0 0 var(--warn); }
tr.failed { background: var(--bad-bg); box-shadow: inset 4px 0 0 var(--bad); }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; padding: .05rem .45rem; border-radius: 999px; border: 1px solid currentColor; white-space: nowrap; }
.badge.bad { color: var(--bad); background: #fff; }
.badge.warn { color: var(--warn); background: #fff; }
.badge.ok { color: var(--ok); background: #fff; }
.badge.neutral { color: var(--muted); background: #fff; }
.badge.long { white-space: normal; border-radius: 6px; }
.steps { display: grid; grid-template-columns: repeat(2, max-content); gap: .2rem; }
.role { font-size: .7rem; text-transform: uppercase; color: var(--muted); letter-spacing: .03em; }
.small { font-size: .8rem; }
.stack { display: flex; flex-direction: column; gap: .2rem; align-items: flex-start; }
.step { font-size: .75rem; padding: .05rem .35rem; border-radius: 3px; border: 1px solid var(--line); white-space: nowrap; background: #fff; }
.step.done { color: var(--ok); border-color: #86c49a; }
.step.failed { color: var(--bad); border-color: var(--bad); font-weight: 700; }
.step.running { color: var(--accent); border-color: #93b4f5; }
.step.skipped { color: var(--muted); }
.reasons { margin: .2rem 0 0; padding-left: 1rem; font-size: .8rem; color: var(--warn); }
tr.failed .reasons { color: var(--bad); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pager { display: flex; gap: 1rem; align-items: center; margin: .75rem 0; flex-wrap: wrap; }
.live { font-size: .85rem; color: var(--muted); display: flex; gap: .5rem; align-items: center; }
dl.doc { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: .3rem 1rem; margin: 0; }
dl.doc dt { font-weight: 600; }
dl.doc dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
dl.doc .missing { color: var(--bad); font-weight: 700; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .75rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line); padding: .5rem; border-radius: 4px; font-size: .8rem; max-height: 24rem; overflow: auto; }
.error { color: var(--bad); font-weight: 600; }
.notice { border-left: 4px solid var(--accent); background: #eef3fe; padding: .5rem .75rem; margin: .75rem 0; }
.notice.bad { border-color: var(--bad); background: var(--bad-bg); }
.notice.ok { border-color: var(--ok); background: var(--ok-bg); }
.notice.warn { border-color: var(--warn); background: var(--warn-bg); }
.unavailable { color: var(--muted); font-style: italic; }
figure.chart { margin: 1rem 0 2rem; }
figure.chart figcaption { font-weight: 700; margin-bottom: .25rem; }
figure.chart svg { width: 100%; max-width: 900px; height: auto; display: block; }
figure.chart .cat { font-size: 12px; fill: var(--fg); }
figure.chart .val { font-size: 11px; fill: var(--muted); }
.bar.s0, .swatch.s0 { fill: #1d4ed8; background: #1d4ed8; }
.bar.s1, .swatch.s1 { fill: #b45309; background: #b45309; }
.bar.s2, .swatch.s2 { fill: #047857; background: #047857; }
.legend { display: flex; gap: 1rem; font-size: .85rem; flex-wrap: wrap; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; border-radius: 2px; }
.field { margin: .6rem 0; }
.login { max-width: 24rem; margin: 3rem auto; }
.login .field { margin: .75rem 0; }
.login input { width: 100%; }
@media (max-width: 700px) {
  html { font-size: 15px; }
  main { padding: .6rem; }
  header.top .who { margin-left: 0; }
  dl.doc { grid-template-columns: 1fr; }
  dl.doc dd { margin-bottom: .4rem; }
  .hide-narrow { display: none; }
  /* A wide table becomes one card per row on a phone: every value on screen, each with its column's name. */
  table.cards-narrow, table.cards-narrow tbody, table.cards-narrow tr, table.cards-narrow th, table.cards-narrow td { display: block; width: 100%; }
  table.cards-narrow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  table.cards-narrow tr { border-bottom: 1px solid var(--line); padding: .4rem .6rem; }
  table.cards-narrow th, table.cards-narrow td { border: 0; padding: .15rem 0; text-align: left; }
  table.cards-narrow td:empty { display: none; }
  table.cards-narrow td[data-label]::before { content: attr(data-label); display: block; font-size: .7rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
}
`;

// Live refresh of the handoffs list: re-fetch this same page every 30 s and swap the table in. The
// page works without it; a checkbox turns it off, and it pauses while the tab is hidden.
const JS = `
(function () {
  var board = document.getElementById('board');
  var status = document.getElementById('live-status');
  var toggle = document.getElementById('live-toggle');
  if (!board || !status || !toggle || !window.fetch || !window.DOMParser) return;
  document.getElementById('live').hidden = false;
  var EVERY = 30000;
  function refresh() {
    if (!toggle.checked || document.hidden) return;
    fetch(location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { if (!r.ok || r.redirected) throw new Error(String(r.status)); return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('board');
        if (!fresh) throw new Error('no board');
        board.replaceChildren.apply(board, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        status.textContent = 'Updated ' + new Date().toLocaleTimeString();
      })
      .catch(function () { status.textContent = 'Live refresh paused: could not reach Baton'; });
  }
  setInterval(refresh, EVERY);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
})();
`;

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

export const ASSETS = {
  css: { path: `/assets/dashboard-${digest(CSS)}.css`, body: CSS, type: 'text/css; charset=utf-8' },
  js: { path: `/assets/dashboard-${digest(JS)}.js`, body: JS, type: 'text/javascript; charset=utf-8' },
} as const;
