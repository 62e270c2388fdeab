// The Liquid sandbox: no file access, no prototype access, bounded work; lenient variables, strict filters.
import { describe, expect, it } from 'vitest';
import type { TemplateContext } from '../../../src/mapping/context.js';
import {
  checkTemplate,
  MAX_TEMPLATE_LENGTH,
  RENDER_MEMORY_LIMIT,
  RENDER_STEP_LIMIT,
  RENDER_TIME_LIMIT_MS,
  renderTemplate,
  TemplateRenderError,
  templateVariables,
} from '../../../src/mapping/template.js';

const ctx: TemplateContext = {
  deal: { dealname: 'Widget rollout', amount: '1200' },
  company: {},
  contact: {},
  contacts: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
  owner: { firstname: 'Sam' },
  line_items: [],
};

describe('renderTemplate', () => {
  it('renders variables and filters', () => {
    expect(renderTemplate('{{ deal.dealname | upcase }} for {{ owner.firstname }}', ctx)).toBe('WIDGET ROLLOUT for Sam');
  });

  it('missing variables render empty (lenient), never throw', () => {
    expect(renderTemplate('[{{ company.name }}][{{ contact.email }}][{{ nothing.at.all }}]', ctx)).toBe('[][][]');
  });

  it('cannot reach the prototype chain', () => {
    expect(renderTemplate('[{{ deal.constructor }}][{{ deal.__proto__ }}][{{ deal.toString }}][{{ contacts.constructor.name }}]', ctx)).toBe('[][][][]');
    expect(renderTemplate('{{ deal.constructor.constructor }}', ctx)).toBe('');
  });

  it('loops over contacts', () => {
    expect(renderTemplate('{% for c in contacts %}{{ c.email }};{% endfor %}', ctx)).toBe('a@example.com;b@example.com;');
  });

  it('dates render in UTC, whatever the host zone', () => {
    expect(renderTemplate("{{ '2026-03-16' | date: '%Y-%m-%d' }}", ctx)).toBe('2026-03-16');
  });

  it('stops runaway loops with a TemplateRenderError', () => {
    expect(() => renderTemplate('{% for i in (1..100000000) %}x{% endfor %}', ctx)).toThrow(TemplateRenderError);
  });
});

// Each limit the docs promise (docs/mappings.md, Templates), tripped by a hostile template, each failing
// with a message that names the limit.
describe('render limits', () => {
  const renderError = (template: string, context: object = ctx) => {
    try {
      renderTemplate(template, context as TemplateContext);
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateRenderError);
      return (e as Error).message;
    }
    throw new Error('rendered');
  };

  it('step limit: a 200,000-iteration loop is refused though it needs little time and memory', () => {
    expect(renderError('{% for i in (1..200000) %}x{% endfor %}')).toMatch(
      new RegExp(`^rendering took more than ${RENDER_STEP_LIMIT.toLocaleString('en')} steps \\(step limit.*line:1, col:1`),
    );
    // A loop well inside the limit renders.
    expect(renderTemplate('{% for i in (1..1000) %}x{% endfor %}', ctx)).toHaveLength(1000);
  });

  it('memory limit: doubling a string with assign + append is refused', () => {
    const doubling = '{% assign s = "0123456789" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}';
    expect(renderError(doubling)).toMatch(new RegExp(`^rendering allocated more than ${RENDER_MEMORY_LIMIT.toLocaleString('en')} characters or items \\(memory limit`));
    // Ten doublings (10,240 characters) are fine.
    expect(renderTemplate(doubling.replace('(1..20)', '(1..10)'), ctx)).toBe('10240');
  });

  it('memory limit: a range bigger than the budget is refused before it is built', () => {
    expect(renderError(`{% for i in (1..${RENDER_MEMORY_LIMIT + 1}) %}{% endfor %}`)).toMatch(/\(memory limit/);
  });

  it('render time limit: few steps and no allocation, but each step is slow', () => {
    // 5,000 sums over a 300,000-number list: 1.5e9 additions, far beyond the time budget, within the others.
    const big = { ...ctx, deal: { ...ctx.deal, numbers: Array.from({ length: 300_000 }, (_, i) => i) } };
    expect(renderError('{% for i in (1..5000) %}{{ deal.numbers | sum }}{% endfor %}', big)).toMatch(
      new RegExp(`^rendering took longer than ${RENDER_TIME_LIMIT_MS.toLocaleString('en')} ms \\(render time limit\\)`),
    );
  });

  it('parse limit: a gigantic template is refused at load and at render, naming its size and the limit', () => {
    const huge = `{{ deal.dealname }}${'x'.repeat(MAX_TEMPLATE_LENGTH)}`;
    const expected = `template is ${huge.length.toLocaleString('en')} characters; the limit is ${MAX_TEMPLATE_LENGTH.toLocaleString('en')} (parse limit)`;
    expect(checkTemplate(huge)).toBe(expected);
    expect(renderError(huge)).toBe(expected);
    expect(checkTemplate('x'.repeat(MAX_TEMPLATE_LENGTH))).toBeNull();
  });
});

describe('checkTemplate', () => {
  it('accepts a valid template', () => {
    expect(checkTemplate('Hello {{ contact.firstname | default: "there" }}')).toBeNull();
  });

  it.each([
    ["{% include 'secrets' %}", /the 'include' tag is not allowed/],
    ["{% render 'x' %}", /the 'render' tag is not allowed/],
    ["{% layout 'x' %}", /the 'layout' tag is not allowed/],
    ['{% block x %}{% endblock %}', /the 'block' tag is not allowed/],
  ])('refuses file-loading tag %s', (template, message) => {
    expect(checkTemplate(template)).toMatch(message);
    expect(() => renderTemplate(template, ctx)).toThrow(TemplateRenderError);
  });

  it('refuses unknown filters (strict filters)', () => {
    expect(checkTemplate('{{ deal.dealname | exec }}')).toMatch(/undefined filter: exec/);
  });

  it('reports syntax errors', () => {
    expect(checkTemplate('{% if deal.amount %}no end')).toMatch(/not closed/);
  });

  it('refuses templates over the length limit', () => {
    expect(checkTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1))).toMatch(/limit/);
  });
});

describe('templateVariables', () => {
  it('lists global variable paths, not loop locals', () => {
    expect(templateVariables('{{ deal.a }}{% for c in contacts %}{{ c.email }}{% endfor %}{{ people.lead.name }}')).toEqual([
      ['deal', 'a'],
      ['contacts'],
      ['people', 'lead', 'name'],
    ]);
  });
});
