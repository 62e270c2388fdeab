import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../../src/handoff/escape.js';
import {
  SLACK_HEADER_TEXT_MAX,
  SLACK_MAX_BLOCKS,
  SLACK_SECTION_TEXT_MAX,
  SLACK_TRUNCATION_NOTE,
  renderDocumentSlackBlocks,
  truncateForSlack,
} from '../../../src/handoff/render-slack.js';
import { SECTION_IDS, SECTION_TITLES } from '../../../src/handoff/types.js';
import type { HandoffDocument } from '../../../src/handoff/types.js';
import { EMOJI, HOSTILE, HUNDRED_KB, RTL, hostileDocument, makeDocument } from './make-document.js';

type TextObject = { type: string; text: string; verbatim?: boolean };
type Block = { type: string; text?: TextObject; elements?: TextObject[] };

function render(doc: HandoffDocument) {
  const out = renderDocumentSlackBlocks(doc);
  return { text: out.text, blocks: out.blocks as Block[] };
}

function textObjects(blocks: Block[]): TextObject[] {
  return blocks.flatMap((b) => [...(b.text ? [b.text] : []), ...(b.elements ?? [])]);
}

/** Block Kit limits plus the escaping invariant for every mrkdwn string. */
function expectValidMessage({ text, blocks }: { text: string; blocks: Block[] }): void {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/[<>]/);
  expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
  expect(blocks[0]!.type).toBe('header');
  expect(blocks[0]!.text!.type).toBe('plain_text');
  expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(SLACK_HEADER_TEXT_MAX);
  for (const obj of textObjects(blocks)) {
    expect(obj.text.length).toBeGreaterThan(0);
    expect(obj.text.length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX);
    if (obj.type === 'mrkdwn') {
      expect(obj.verbatim).toBe(true);
      expect(obj.text).not.toMatch(/[<>]/); // nothing Slack could read as a mention, broadcast or link
      expect(obj.text).not.toMatch(/&(?!amp;|lt;|gt;)/); // every & is one of our entities
    }
  }
}

const allMrkdwn = (blocks: Block[]) => textObjects(blocks).filter((o) => o.type === 'mrkdwn').map((o) => o.text).join('\n');

describe('renderDocumentSlackBlocks', () => {
  it('renders a header, then one section per document section in the fixed order, with a fallback text', () => {
    const msg = render(makeDocument({ title: 'Handoff: ACME', sectionOrder: [...SECTION_IDS].reverse() }));
    expectValidMessage(msg);
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Handoff: ACME' } });
    expect(msg.blocks.slice(1).map((b) => b.text!.text.split('\n')[0])).toEqual(SECTION_IDS.map((id) => `*${SECTION_TITLES[id]}*`));
    expect(msg.text).toBe('Handoff: Handoff: ACME');
  });

  it('renders fields as bold label and value', () => {
    const msg = render(makeDocument({ fields: { contact: [{ label: 'Name', value: 'Jane Doe' }, { label: 'Phone', value: null }] } }));
    expect(msg.blocks[1]!.text!.text).toBe(`*${SECTION_TITLES.contact}*\n*Name:* Jane Doe\n*Phone:* _Not provided_`);
  });

  it('lists missing fields in a warning section and marks them where they belong', () => {
    const doc = makeDocument({ fields: { timeline: [{ label: 'Kickoff target', value: null, required: true }] } });
    const msg = render(doc);
    expectValidMessage(msg);
    expect(msg.blocks[1]!.text!.text).toBe(`:warning: *Incomplete: 1 required field missing*\n• ${SECTION_TITLES.timeline}: Kickoff target`);
    expect(allMrkdwn(msg.blocks)).toContain('*Kickoff target:* *Missing*');
    expect(msg.text).toBe('Handoff: Handoff: ACME — Onboarding (incomplete: 1 required field missing)');
  });

  it('has no warning when complete', () => {
    expect(allMrkdwn(render(makeDocument()).blocks)).not.toContain('Incomplete');
  });

  it('escapes hostile text everywhere: no mention, broadcast or link survives', () => {
    const msg = render(hostileDocument());
    expectValidMessage(msg);
    const mrkdwn = allMrkdwn(msg.blocks);
    for (const value of Object.values(HOSTILE)) expect(mrkdwn).toContain(escapeMrkdwn(value));
    expect(mrkdwn).toContain('&lt;!channel&gt;');
    expect(mrkdwn).toContain('&lt;!here|here&gt;');
    expect(mrkdwn).toContain('&lt;@U123&gt;');
    expect(mrkdwn).toContain('&lt;https://evil.example|click here&gt;');
    expect(mrkdwn).toContain('Tom &amp;amp; Jerry');
    expect(mrkdwn).toContain('*Risks &lt;!here&gt;:* *Missing*');
    // The header is plain_text, which Slack never parses for mentions: it keeps the raw characters.
    expect(msg.blocks[0]!.text!.text).toBe('Handoff: ping <!channel> now <script>alert(1)</script>');
    expect(msg.text).toBe('Handoff: Handoff: ping &lt;!channel&gt; now &lt;script&gt;alert(1)&lt;/script&gt; (incomplete: 1 required field missing)');
  });

  it('keeps emoji and right-to-left text intact', () => {
    const msg = render(makeDocument({ title: `${EMOJI} ${RTL}`, fields: { contact: [{ label: 'Intl', value: `${EMOJI}\n${RTL}` }] } }));
    expect(msg.blocks[0]!.text!.text).toBe(`${EMOJI} ${RTL}`);
    expect(allMrkdwn(msg.blocks)).toContain(`*Intl:* ${EMOJI}\n${RTL}`);
  });

  it('truncates a 100 KB field to one section of at most 3,000 chars and keeps the fields around it', () => {
    const msg = render(makeDocument({ fields: { scope: [{ label: 'Before', value: 'kept' }, { label: 'Big', value: HUNDRED_KB }, { label: 'After', value: 'also kept' }] } }));
    expectValidMessage(msg);
    const scope = msg.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    const big = scope.find((t) => t.startsWith('*Big:*'))!;
    expect(big).toHaveLength(SLACK_SECTION_TEXT_MAX);
    expect(big.endsWith('…')).toBe(true);
    expect(scope.some((t) => t.includes('*Before:* kept'))).toBe(true);
    expect(scope.some((t) => t.includes('*After:* also kept'))).toBe(true);
  });

  it('never cuts inside an entity or an emoji', () => {
    const lt = render(makeDocument({ fields: { scope: [{ label: 'L', value: '<'.repeat(5_000) }] } }));
    expectValidMessage(lt);
    const emoji = render(makeDocument({ fields: { scope: [{ label: 'E', value: '🚀'.repeat(5_000) }] } }));
    for (const t of textObjects(emoji.blocks)) expect(t.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    for (let max = 10; max < 20; max++) {
      expect(truncateForSlack('ab&amp;cd&lt;ef&gt;gh'.repeat(3), max)).toMatch(/^(?:[a-h]|&amp;|&lt;|&gt;)*…$/);
    }
    expect(truncateForSlack('short', 10)).toBe('short');
  });

  it('cuts a long title to the header limit and keeps the fallback short', () => {
    const msg = render(makeDocument({ title: 'T'.repeat(1_000) }));
    expectValidMessage(msg);
    expect(msg.blocks[0]!.text!.text).toBe(`${'T'.repeat(SLACK_HEADER_TEXT_MAX - 1)}…`);
    expect(msg.text.length).toBeLessThanOrEqual(500);
  });

  it('stays within 50 blocks and says where it cut', () => {
    const fields = Object.fromEntries(SECTION_IDS.map((id) => [id, Array.from({ length: 10 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(2_500) }))]));
    const msg = render(makeDocument({ fields }));
    expectValidMessage(msg);
    expect(msg.blocks).toHaveLength(SLACK_MAX_BLOCKS);
    expect(msg.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: SLACK_TRUNCATION_NOTE, verbatim: true }] });
  });

  it('splits a long section into several blocks rather than dropping fields', () => {
    const msg = render(makeDocument({ fields: { scope: Array.from({ length: 3 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(1_400) })) } }));
    expectValidMessage(msg);
    const mrkdwn = allMrkdwn(msg.blocks);
    for (let i = 0; i < 3; i++) expect(mrkdwn).toContain(`*F${i}:* ${'v'.repeat(1_400)}`);
    expect(msg.blocks).toHaveLength(1 + SECTION_IDS.length + 1);
  });
});
