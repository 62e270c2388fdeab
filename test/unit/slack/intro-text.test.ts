import { describe, expect, it } from 'vitest';
import { buildIntroText, handoverLine, mentionOrName, neutralizeBroadcasts, SLACK_TEXT_MAX } from '../../../connectors/slack/intro-text.js';
import type { ResolvedPerson } from '../../../src/handoff/types.js';

const person = (over: Partial<ResolvedPerson>): ResolvedPerson => ({ role: 'sales_rep', email: 'rep@acme.test', name: 'Rita Rep', source: 'owner.email', ...over });

describe('intro text', () => {
  it('mentions resolved users and names unresolved ones', () => {
    expect(handoverLine({ slackUserId: 'U1' }, { slackUserId: 'U2' })).toBe('From <@U1> to <@U2>');
    expect(handoverLine(mentionOrName(person({}), null), { slackUserId: 'U2' })).toBe('From Rita Rep to <@U2>');
    expect(handoverLine(mentionOrName(person({ name: null }), null), null)).toBe('From rep@acme.test');
    expect(handoverLine(null, { plain: 'Lee' })).toBe('To Lee');
    expect(handoverLine(null, null)).toBeNull();
    expect(mentionOrName(person({ name: '  ', email: null }), null)).toBeNull();
  });

  it('escapes hostile names and cuts absurdly long ones', () => {
    const line = handoverLine(mentionOrName(person({ name: '<!channel> <@U999> <https://evil|x>' }), null), null);
    expect(line).toBe('From &lt;!channel&gt; &lt;@U999&gt; &lt;https://evil|x&gt;');
    const long = handoverLine(mentionOrName(person({ name: 'x'.repeat(10_000) }), null), null) ?? '';
    expect(long.length).toBeLessThanOrEqual('From '.length + 120);
  });

  it('neutralizes broadcast and user-group pings but keeps user mentions and links', () => {
    expect(neutralizeBroadcasts('hi <!channel> <!here|here> <!everyone> <!subteam^S1|@ops> <@U1> <https://ok.test|ok>')).toBe(
      'hi &lt;!channel&gt; &lt;!here|here&gt; &lt;!everyone&gt; &lt;!subteam^S1|@ops&gt; <@U1> <https://ok.test|ok>',
    );
  });

  it('keeps the whole text within Slack’s limit with the handover line intact', () => {
    const text = buildIntroText('a'.repeat(100_000), { slackUserId: 'U1' }, { slackUserId: 'U2' });
    expect(text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX);
    expect(text.endsWith('…\nFrom <@U1> to <@U2>')).toBe(true);
    expect(buildIntroText('  Hello  \n', null, null)).toBe('Hello');
  });
});
