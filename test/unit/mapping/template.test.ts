// The Liquid sandbox: no file access, no prototype access, bounded work; lenient variables, strict filters.
import { describe, expect, it } from 'vitest';
import type { TemplateContext } from '../../../src/mapping/context.js';
import { checkTemplate, MAX_TEMPLATE_LENGTH, renderTemplate, TemplateRenderError, templateVariables } from '../../../src/mapping/template.js';

const ctx: TemplateContext = {
  deal: { dealname: 'Widget rollout', amount: '1200' },
  company: {},
  contact: {},
  contacts: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
  owner: { firstname: 'Sam' },
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
