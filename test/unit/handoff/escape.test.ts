import { describe, expect, it } from 'vitest';
import { escapeMarkdown, escapeMrkdwn, sanitizeText, toOneLine } from '../../../src/handoff/escape.js';
import { EMOJI, HOSTILE, HUNDRED_KB, RTL } from './make-document.js';

/** Undo CommonMark backslash escapes and hard breaks: what a reader sees (for single paragraphs). */
const visible = (md: string) => md.replace(/\\\n/g, '\n').replace(/\\([!-/:-@[-`{-~])/g, '$1');
/** What remains once every backslash escape is removed: must hold no markup character. */
const unescapedChars = (md: string) => md.replace(/\\[\s\S]/g, '');

describe('escapeMrkdwn', () => {
  it('escapes only & < > (Slack documented rule)', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(escapeMrkdwn(`"quotes" and 'apostrophes'`)).toBe(`"quotes" and 'apostrophes'`);
    expect(escapeMrkdwn('*bold* _it_ ~s~ `c`')).toBe('*bold* _it_ ~s~ `c`');
  });

  it('neutralises mentions, broadcasts and links', () => {
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('<!here|here>')).toBe('&lt;!here|here&gt;');
    expect(escapeMrkdwn('<@U123>')).toBe('&lt;@U123&gt;');
    expect(escapeMrkdwn('<https://evil|click>')).toBe('&lt;https://evil|click&gt;');
    for (const value of Object.values(HOSTILE)) expect(escapeMrkdwn(value)).not.toMatch(/[<>]/);
  });

  it('escapes existing entities so they show literally', () => {
    expect(escapeMrkdwn('&amp; &lt;')).toBe('&amp;amp; &amp;lt;');
  });

  it('leaves emoji and right-to-left text intact', () => {
    expect(escapeMrkdwn(EMOJI)).toBe(EMOJI);
    expect(escapeMrkdwn(RTL)).toBe(RTL);
  });

  it('round-trips: decoding the three entities gives back the input', () => {
    for (const value of [...Object.values(HOSTILE), HUNDRED_KB]) {
      const decoded = escapeMrkdwn(value).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(decoded).toBe(value);
    }
  });
});

describe('sanitizeText', () => {
  it('drops control characters Jira rejects but keeps tab, newline, bidi marks and emoji', () => {
    expect(sanitizeText('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg')).toBe('abcdefg');
    expect(sanitizeText('tab\there\nnext')).toBe('tab\there\nnext');
    expect(sanitizeText(RTL)).toBe(RTL);
    expect(sanitizeText(EMOJI)).toBe(EMOJI);
    expect(sanitizeText('\u200b\u200d\u2066x\u2069')).toBe('\u200b\u200d\u2066x\u2069');
  });

  it('normalises CRLF and CR to LF', () => {
    expect(sanitizeText('a\r\nb\rc')).toBe('a\nb\nc');
  });

  it('drops unpaired surrogates and noncharacters, keeps pairs', () => {
    expect(sanitizeText('x\ud800y\udc00z\uffff\ufffe')).toBe('xyz');
    expect(sanitizeText('\ud83d\ude80')).toBe('🚀');
  });
});

describe('toOneLine', () => {
  it('collapses whitespace and newlines', () => {
    expect(toOneLine('  a\n\n b\t c \r\n')).toBe('a b c');
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['*bold*', '\\*bold\\*'],
    ['_it_ and snake_case', '\\_it\\_ and snake\\_case'],
    ['`code`', '\\`code\\`'],
    ['<script>', '\\<script\\>'],
    ['&amp;', '\\&amp;'],
    ['[x](http://y)', '\\[x\\](http\\://y)'],
    ['a | b ~c~', 'a \\| b \\~c\\~'],
    ['C:\\dir', 'C:\\\\dir'],
    ['# not a heading', '\\# not a heading'],
    ['> not a quote', '\\> not a quote'],
    ['- not a bullet', '\\- not a bullet'],
    ['+ not a bullet', '\\+ not a bullet'],
    ['1986. not a list', '1986\\. not a list'],
    ['2) not a list', '2\\) not a list'],
    ['===', '\\==='],
    [':-', '\\:-'],
    ['    not code', 'not code'],
    ['www.example.com', 'www\\.example.com'],
    ['plain words, well-known. #1!', 'plain words, well-known. #1!'],
  ])('escapes %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('keeps line structure: hard breaks within a paragraph, one blank line between paragraphs', () => {
    expect(escapeMarkdown('line 1\nline 2\n\n\n\n- para 2')).toBe('line 1\\\nline 2\n\n\\- para 2');
    expect(escapeMarkdown('ends with \\\nnext')).toBe('ends with \\\\\\\nnext');
  });

  it('leaves no markup character unescaped in hostile text', () => {
    for (const value of Object.values(HOSTILE)) {
      const md = escapeMarkdown(value);
      expect(unescapedChars(md), value).not.toMatch(/[\\`*_[\]<>&~|]/);
      for (const line of unescapedChars(md).split('\n')) expect(line, value).not.toMatch(/^\s*([#>+=:-]|\d+[.)])/);
    }
  });

  it('shows the same characters once rendered', () => {
    for (const value of [HOSTILE.channel, HOSTILE.script, HOSTILE.entity, HOSTILE.bold, HOSTILE.backslash, HOSTILE.link, EMOJI, RTL]) {
      expect(visible(escapeMarkdown(value!))).toBe(value);
    }
    expect(visible(escapeMarkdown(HOSTILE.markdownBlocks!))).toBe(HOSTILE.markdownBlocks!.replace('    indented', 'indented'));
  });

  it('keeps a 100 KB value whole', () => {
    const md = escapeMarkdown(HUNDRED_KB);
    expect(md.length).toBe(HUNDRED_KB.length + 2);
    expect(visible(md)).toBe(HUNDRED_KB);
  });

  it('returns an empty string for blank input', () => {
    expect(escapeMarkdown('')).toBe('');
    expect(escapeMarkdown(' \n\n \t')).toBe('');
  });
});
