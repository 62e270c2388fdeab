import { describe, expect, it } from 'vitest';
import { interpolateEnv } from '../../../src/mapping/interpolate-env.js';
import { mustParse, withLine } from './helpers.js';

describe('interpolateEnv (docker-compose syntax)', () => {
  const env = { PROJECT: 'OPS', EMPTY: '' };

  it('substitutes ${NAME}', () => {
    expect(interpolateEnv('key-${PROJECT}-x', env)).toEqual({ value: 'key-OPS-x', errors: [] });
  });

  it(':- uses the default when unset or empty; - only when unset', () => {
    expect(interpolateEnv('${MISSING:-DEL}', env).value).toBe('DEL');
    expect(interpolateEnv('${EMPTY:-DEL}', env).value).toBe('DEL');
    expect(interpolateEnv('${EMPTY-DEL}', env).value).toBe('');
    expect(interpolateEnv('${MISSING-DEL}', env).value).toBe('DEL');
    expect(interpolateEnv('${PROJECT:-DEL}', env).value).toBe('OPS');
  });

  it('$$ is a literal dollar; a lone $ stays', () => {
    expect(interpolateEnv('costs $$5 and $5', env)).toEqual({ value: 'costs $5 and $5', errors: [] });
  });

  it('leaves Liquid alone', () => {
    expect(interpolateEnv('{{ deal.amount }} ${PROJECT}', env).value).toBe('{{ deal.amount }} OPS');
  });

  it('refuses secret-looking names even when set, and names them', () => {
    for (const name of ['SLACK_BOT_TOKEN', 'HUBSPOT_CLIENT_SECRET', 'DB_PASSWORD', 'PRIVATE_KEY_PATH']) {
      const r = interpolateEnv(`\${${name}:-x}`, { [name]: 'hunter2' });
      expect(r.value).not.toContain('hunter2');
      expect(r.errors).toEqual([expect.stringContaining(`refusing to use environment variable ${name}`)]);
    }
  });

  it('an unset variable without default is an error', () => {
    expect(interpolateEnv('${NOPE}', env).errors).toEqual(['environment variable NOPE is not set (give a default with ${NOPE:-value})']);
  });

  it('a malformed reference is an error', () => {
    expect(interpolateEnv('${1BAD}', env).errors[0]).toMatch(/invalid environment reference '\$\{1BAD\}'/);
    expect(interpolateEnv('${NAME:?required}', env).errors[0]).toMatch(/invalid environment reference/);
  });
});

describe('env interpolation in a mapping', () => {
  const text = withLine(17, '  project: "${JIRA_PROJECT_KEY:-DEL}"');

  it('takes the value from the environment at load time', () => {
    expect(mustParse(text, { JIRA_PROJECT_KEY: 'OPS' }).work.project).toBe('OPS');
  });

  it('falls back to the default', () => {
    expect(mustParse(text, {}).work.project).toBe('DEL');
  });

  it('never interpolates keys', () => {
    const m = mustParse(withLine(9, '  lead: { from: deal.lead_email, fallback: "${LEAD_EMAIL:-lead@example.com}" }'), { LEAD_EMAIL: 'pm@example.com' });
    expect(m.people.lead?.fallback).toBe('pm@example.com');
  });
});
