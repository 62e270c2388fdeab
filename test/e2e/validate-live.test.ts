// `baton validate --live` against the stand-ins: one line per problem, each with its fix.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld } from '../helpers/standin-world.js';
import { validateCommand } from '../../src/cli/validate-command.js';

describe('baton validate --live', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    world = await startWorld({ deals: 1 });
    Object.assign(process.env, world.env);
    dir = await mkdtemp(join(tmpdir(), 'baton-live-'));
  });
  afterAll(async () => {
    process.env = saved;
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async () => {
    let text = '';
    const out = new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    });
    const code = await validateCommand(dir, out, { live: true });
    return { code, text };
  };

  it('reports each problem with its fix, and passes once they are fixed', async () => {
    const base = await readFile('mappings/default.yaml', 'utf8');
    const broken = base
      .replace('name: services-onboarding', 'name: broken-onboarding')
      .replace('field: deal.baton_scope, required', 'field: deal.baton_scopee, required')
      .replace('fallback: delivery-leads@example.com', 'fallback: nobody@example.com');
    await writeFile(join(dir, 'broken.yaml'), broken);
    const first = await run();
    expect(first.code).toBe(1);
    const fails = first.text.split('\n').filter((l) => l.startsWith('FAIL'));
    // The misspelt property, with a did-you-mean; the unknown person in Jira and in Slack.
    expect(fails.some((l) => /broken-onboarding hubspot: .*baton_scopee/.test(l) && /baton_scope\b/.test(l))).toBe(true);
    expect(fails.some((l) => /broken-onboarding jira: .*nobody@example\.com/.test(l))).toBe(true);
    expect(fails.some((l) => /broken-onboarding slack: .*nobody@example\.com/.test(l))).toBe(true);
    expect(fails.every((l) => l.includes('→'))).toBe(true);

    // Fixed: the same mapping with a real property and a person who exists everywhere.
    await writeFile(join(dir, 'broken.yaml'), base.replace('fallback: delivery-leads@example.com', 'fallback: priya.lead@baton.example'));
    const second = await run();
    expect(second.text).toContain('live checks passed');
    expect(second.code).toBe(0);
  });
});
