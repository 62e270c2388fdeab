// Insights as plots: time from close to kickoff, where handoffs stall, completeness at close by rep,
// feedback scores. SVG rendered here; the numbers are also in a table under each plot.
import { barChart } from '../charts/bar-chart.js';
import { html, type Html } from '../html.js';
import { layout, type PageContext } from '../layout.js';
import type { Insights } from '../queries/insights-query.js';
import { STEP_LABELS, unavailable } from './format.js';
import { SECTION_TITLES, type SectionId } from '../../handoff/types.js';

export function insightsPage(ctx: PageContext, i: Insights): Html {
  const source =
    i.kickoffSource === 'actual'
      ? 'from close to the kickoff task marked done in the delivery tool'
      : 'from close to the planned kickoff due date (actual kickoff times appear once live task status is available)';
  const spreadChart = (id: string, title: string, rows: Insights['kickoffByMapping']) =>
    barChart({
      id,
      title,
      categories: rows.map((r) => `${r.label} (n=${r.n})`),
      series: [
        { name: 'median', values: rows.map((r) => r.median) },
        { name: 'p90', values: rows.map((r) => r.p90) },
      ],
      unit: ' d',
    });
  const body = html`<h1>Insights</h1>
<section aria-labelledby="kickoff"><h2 id="kickoff">Time from close to kickoff</h2><p class="muted">Days, ${source}.</p>
${spreadChart('kickoff-by-mapping', 'Close → kickoff by mapping (days)', i.kickoffByMapping)}
${spreadChart('kickoff-by-month', 'Close → kickoff by month of close (days)', i.kickoffByMonth)}</section>
<section aria-labelledby="stalls"><h2 id="stalls">Where handoffs stall</h2>
${barChart({
  id: 'stalls-by-step',
  title: 'Handoff steps that failed, retried or wait for a retry',
  categories: i.stallsByStep.map((s) => STEP_LABELS[s.step] ? `${STEP_LABELS[s.step]} (${s.step})` : s.step),
  series: [
    { name: 'failed', values: i.stallsByStep.map((s) => s.failed) },
    { name: 'retried', values: i.stallsByStep.map((s) => s.retried) },
    { name: 'waiting for retry', values: i.stallsByStep.map((s) => s.waiting) },
  ],
  unit: '',
  decimals: 0,
})}
${i.lateTasks === null
  ? unavailable('Late delivery tasks')
  : barChart({ id: 'late-tasks', title: 'Delivery tasks most often late', categories: i.lateTasks.map((t) => t.task), series: [{ name: 'late', values: i.lateTasks.map((t) => t.late) }], unit: '', decimals: 0 })}</section>
<section aria-labelledby="completeness"><h2 id="completeness">Document completeness at close, by rep</h2>
${barChart({
  id: 'completeness-by-rep',
  title: 'Handoffs complete at close (%)',
  categories: i.completenessByRep.map((r) => `${r.rep} (n=${r.n})`),
  series: [{ name: 'complete at close', values: i.completenessByRep.map((r) => r.completePct) }],
  unit: '%',
  max: 100,
  decimals: 0,
})}</section>
<section aria-labelledby="feedback"><h2 id="feedback">Feedback scores</h2>
${i.feedback === null
  ? unavailable('Feedback')
  : html`<p class="muted">${i.feedback.answered} answered request${i.feedback.answered === 1 ? '' : 's'}.</p>
${barChart({ id: 'feedback-by-rep', title: 'Document accuracy by rep (mean of 1–5)', categories: i.feedback.byRep.map((r) => `${r.rep} (n=${r.n})`), series: [{ name: 'accuracy', values: i.feedback.byRep.map((r) => r.meanAccuracy) }], unit: '', max: 5 })}
${barChart({ id: 'feedback-by-section', title: 'Sections named wrong by delivery', categories: i.feedback.bySection.map((s) => SECTION_TITLES[s.section as SectionId] ?? s.section), series: [{ name: 'named wrong', values: i.feedback.bySection.map((s) => s.wrong) }], unit: '', decimals: 0 })}`}
</section>`;
  return layout(ctx, 'Insights', body);
}
