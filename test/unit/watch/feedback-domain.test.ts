// The feedback loop's pure parts: checking answers, the modal and its submission, the signed form link,
// the HTML form (escaped), the rep summary and CRM note, and the aggregates.
import { describe, expect, it } from 'vitest';
import { accuracyOf, checkAnswers, DEFAULT_FEEDBACK_QUESTIONS, wrongSectionsOf } from '../../../src/watch/feedback-questions.js';
import { buildFeedbackAsk, buildFeedbackModal, buildFeedbackNote, buildRepSummary, readModalAnswers } from '../../../src/watch/feedback-messages.js';
import { createFormToken, verifyFormToken } from '../../../src/watch/feedback-form-token.js';
import { renderFeedbackForm } from '../../../src/watch/feedback-form-html.js';
import { aggregateFeedback } from '../../../src/watch/feedback-aggregates.js';

const Q = DEFAULT_FEEDBACK_QUESTIONS;

describe('answers', () => {
  it('checks required answers and options; ratings become numbers; text is kept (bounded)', () => {
    expect(checkAnswers(Q, { accuracy: '5', expectations: 'yes' })).toEqual({
      answers: { accuracy: 5, surprises: null, expectations: 'yes', 'wrong-section': null },
      errors: {},
    });
    expect(checkAnswers(Q, { accuracy: '6', expectations: 'maybe', 'wrong-section': 'nope' }).errors).toEqual({
      accuracy: 'Pick one of the options.',
      expectations: 'Pick one of the options.',
      'wrong-section': 'Pick one of the options.',
    });
    expect(checkAnswers(Q, {}).errors).toEqual({ accuracy: 'Please answer this question.', expectations: 'Please answer this question.' });
    expect((checkAnswers(Q, { accuracy: '1', expectations: 'no', surprises: 'x'.repeat(5000) }).answers.surprises as string).length).toBe(3000);
    const a = checkAnswers(Q, { accuracy: '2', expectations: 'no', 'wrong-section': 'billing' }).answers;
    expect(accuracyOf(Q, a)).toBe(2);
    expect(wrongSectionsOf(Q, a)).toEqual(['billing']);
  });

  it('the modal has one input per question; a submission reads back by block id', () => {
    const view = buildFeedbackModal({ handoffId: 'h1', title: 'Handoff: Acme', questions: Q }) as { blocks: { block_id?: string; optional?: boolean; element?: { type: string } }[] };
    expect(view.blocks.slice(1).map((b) => [b.block_id, b.optional, b.element?.type])).toEqual([
      ['q_accuracy', false, 'radio_buttons'],
      ['q_surprises', true, 'plain_text_input'],
      ['q_expectations', false, 'radio_buttons'],
      ['q_wrong-section', true, 'static_select'],
    ]);
    expect(readModalAnswers(Q, { q_accuracy: { answer: { selected_option: { value: '3' } } }, q_surprises: { answer: { value: 'hi' } }, q_expectations: { answer: { selected_option: null } } })).toEqual({
      accuracy: '3',
      surprises: 'hi',
      expectations: null,
      'wrong-section': null,
    });
    expect(readModalAnswers(Q, 'junk')).toEqual({ accuracy: null, surprises: null, expectations: null, 'wrong-section': null });
  });

  it('messages escape what people wrote', () => {
    const answers = { accuracy: 3, surprises: '<!channel> help & <b>', expectations: 'partly', 'wrong-section': 'timeline' };
    const summary = buildRepSummary({ title: 'Acme <x>', from: 'leo@x.example', questions: Q, answers, handoffUrl: 'https://baton.example/handoffs/h1' });
    expect(summary).toContain('&lt;!channel&gt; help &amp; &lt;b&gt;');
    expect(summary).toContain('3/5');
    expect(summary).toContain('Timeline promised');
    expect(summary).not.toContain('<!channel>');
    expect(buildFeedbackNote({ title: 'Acme', from: 'leo', questions: Q, answers })).toContain('- Which section was most wrong (if any)? Timeline promised');
    const ask = buildFeedbackAsk({ handoffId: 'h1', title: 'A <!here>', formUrl: 'https://baton.example/feedback/t', reminder: true });
    expect(ask.text).toContain('A reminder');
    expect(JSON.stringify(ask)).not.toContain('<!here>');
    expect(JSON.stringify(ask.blocks)).toContain('<https://baton.example/feedback/t|Or answer in the browser>');
  });

  it('the HTML form escapes titles, questions and values', () => {
    const html = renderFeedbackForm({ title: '<script>alert(1)</script>', questions: [{ id: 'q', text: 'Why "this"?', type: 'text', required: false }], action: '/feedback/t', values: { q: '</textarea><script>' } });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Why &quot;this&quot;?');
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;');
  });
});

describe('signed form links', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('round-trips; refuses another secret, another handoff, tampering and expiry', () => {
    const t = createFormToken('secret', 'abc-123', now);
    expect(verifyFormToken('secret', t, now)).toEqual({ ok: true, handoffId: 'abc-123' });
    expect(verifyFormToken('other', t, now)).toEqual({ ok: false, reason: 'invalid signature' });
    expect(verifyFormToken('secret', t.replace('abc-123', 'abc-124'), now)).toEqual({ ok: false, reason: 'invalid signature' });
    const [id, exp, sig] = t.split('.');
    expect(verifyFormToken('secret', `${id}.${Number(exp) + 1}.${sig}`, now).ok).toBe(false);
    expect(verifyFormToken('secret', t, new Date(now.getTime() + 31 * 24 * 3600_000))).toEqual({ ok: false, reason: 'link expired' });
    expect(verifyFormToken('secret', 'a.b', now)).toEqual({ ok: false, reason: 'malformed link' });
    expect(() => createFormToken('secret', 'a.b', now)).toThrow();
  });
});

describe('aggregates', () => {
  it('accuracy by rep, by mapping and by section; response rate over asked requests', () => {
    const agg = aggregateFeedback([
      { status: 'answered', repEmail: 'a@x', mapping: 'm1', accuracy: 5, wrongSections: [] },
      { status: 'answered', repEmail: 'a@x', mapping: 'm2', accuracy: 2, wrongSections: ['scope', 'scope', 'timeline'] },
      { status: 'answered', repEmail: 'b@x', mapping: 'm1', accuracy: null, wrongSections: ['scope'] },
      { status: 'asked', repEmail: 'b@x', mapping: 'm1', accuracy: null, wrongSections: [] },
      { status: 'scheduled', repEmail: 'c@x', mapping: 'm1', accuracy: null, wrongSections: [] },
    ]);
    expect(agg).toEqual({
      asked: 4,
      answered: 3,
      responseRate: 0.75,
      averageAccuracy: 3.5,
      byRep: [
        { key: 'a@x', answered: 2, averageAccuracy: 3.5 },
        { key: 'b@x', answered: 1, averageAccuracy: null },
      ],
      byMapping: [
        { key: 'm1', answered: 2, averageAccuracy: 5 },
        { key: 'm2', answered: 1, averageAccuracy: 2 },
      ],
      bySection: [
        { section: 'scope', flagged: 2, averageAccuracy: 2 },
        { section: 'timeline', flagged: 1, averageAccuracy: 2 },
      ],
    });
    expect(aggregateFeedback([]).responseRate).toBeNull();
  });
});
