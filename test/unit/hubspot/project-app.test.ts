// `baton hubspot app` writes a HubSpot 2026.03 project that is valid against the documented schema
// (test/fixtures/hubspot/project-schema.ts, sources cited there), whose scopes are exactly the ones derived from
// Baton's calls, and whose webhook subscriptions are the deal events Baton's receiver acts on.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseHubSpotWebhook } from '../../../connectors/hubspot/parse-webhook.js';
import { buildHubSpotProject, PLATFORM_SCOPES } from '../../../connectors/hubspot/project-app.js';
import { requiredScopes } from '../../../connectors/hubspot/required-scopes.js';
import { hubspotAppCommand } from '../../../src/cli/hubspot-app-command.js';
import { loadMappingsFromDir } from '../../../src/mapping/load-mappings.js';
import type { Mapping } from '../../../src/mapping/schema.js';
import { AppSchema, HsProjectSchema, WebhooksSchema } from '../../fixtures/hubspot/project-schema.js';

async function defaultMappings(): Promise<Mapping[]> {
  const { mappings, errors } = await loadMappingsFromDir(join(process.cwd(), 'mappings'), {});
  expect(errors).toEqual([]);
  return mappings.map((m) => m.mapping);
}

type Sub = { subscriptionType: string; propertyName?: string; active: boolean };

describe('the HubSpot project', () => {
  it('is valid against the documented 2026.03 schema: static private app, webhooks to <public-url>/webhooks/hubspot', async () => {
    const files = buildHubSpotProject({ publicUrl: 'https://baton.example.com/', mappings: await defaultMappings() });
    expect(Object.keys(files).sort()).toEqual(['hsproject.json', 'src/app/app-hsmeta.json', 'src/app/webhooks/webhooks-hsmeta.json']);
    expect(HsProjectSchema.parse(files['hsproject.json'])).toEqual({ name: 'baton', srcDir: 'src', platformVersion: '2026.03' });
    const app = AppSchema.parse(files['src/app/app-hsmeta.json']);
    expect(app.config.auth.type).toBe('static');
    const hooks = WebhooksSchema.parse(files['src/app/webhooks/webhooks-hsmeta.json']);
    expect(hooks.config.settings.targetUrl).toBe('https://baton.example.com/webhooks/hubspot');
  });

  it("asks for exactly the scopes Baton's calls need (plus HubSpot's baseline oauth scope), derived from the call table", async () => {
    const app = AppSchema.parse(buildHubSpotProject({ publicUrl: 'https://b.example', mappings: await defaultMappings() })['src/app/app-hsmeta.json']);
    expect([...app.config.auth.requiredScopes].sort()).toEqual([...PLATFORM_SCOPES, ...requiredScopes()].sort());
    expect(new Set(app.config.auth.requiredScopes).size).toBe(app.config.auth.requiredScopes.length);
  });

  it('subscribes to every deal event Baton acts on — and each subscription yields an event Baton parses', async () => {
    const mappings = await defaultMappings();
    const first = mappings[0] as Mapping;
    // A trigger condition on a deal property adds a property-change subscription for it.
    const withCondition = { ...first, trigger: { ...first.trigger, when: [{ field: 'deal.amount', exists: true }] } } as Mapping;
    const hooks = WebhooksSchema.parse(buildHubSpotProject({ publicUrl: 'https://b.example', mappings: [withCondition] })['src/app/webhooks/webhooks-hsmeta.json']);
    const subs = hooks.config.subscriptions.legacyCrmObjects as Sub[];
    expect(subs.map((s) => `${s.subscriptionType}${s.propertyName ? `:${s.propertyName}` : ''}`)).toEqual([
      'deal.creation', 'deal.propertyChange:dealstage', 'deal.propertyChange:amount', 'deal.deletion', 'deal.merge', 'deal.restore', 'deal.associationChange',
    ]);
    expect(subs.every((s) => s.active)).toBe(true);
    const kinds = subs.map((s, i) => {
      const event = {
        eventId: 100 + i, subscriptionId: 1, portalId: 62515, appId: 1, occurredAt: 1_700_000_000_000, subscriptionType: s.subscriptionType,
        attemptNumber: 0, objectId: 123, changeSource: 'CRM_UI', propertyName: s.propertyName, propertyValue: s.propertyName ? 'x' : undefined,
        fromObjectId: 123, toObjectId: 456, associationType: 'DEAL_TO_COMPANY', associationRemoved: false, mergedObjectIds: [124], primaryObjectId: 123,
        newObjectId: 123, numberOfPropertiesMoved: 1,
      };
      return parseHubSpotWebhook([event]).events[0]?.kind;
    });
    expect(kinds).toEqual(['deal.created', 'deal.property_changed', 'deal.property_changed', 'deal.deleted', 'deal.merged', 'deal.restored', 'deal.association_changed']);
  });
});

describe('baton hubspot app', () => {
  const sink = () => {
    let text = '';
    return { out: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
  };

  it('writes the project and says how to upload it and where the token and secret go', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-hsapp-'));
    try {
      const s = sink();
      expect(await hubspotAppCommand({ publicUrl: 'https://baton.example.com', out: dir, dir: join(process.cwd(), 'mappings') }, s.out)).toBe(0);
      const hooks = WebhooksSchema.parse(JSON.parse(await readFile(join(dir, 'src/app/webhooks/webhooks-hsmeta.json'), 'utf8')));
      expect(hooks.config.settings.targetUrl).toBe('https://baton.example.com/webhooks/hubspot');
      AppSchema.parse(JSON.parse(await readFile(join(dir, 'src/app/app-hsmeta.json'), 'utf8')));
      expect(s.text()).toContain('hs project upload');
      expect(s.text()).toContain('HUBSPOT_ACCESS_TOKEN');
      expect(s.text()).toContain('HUBSPOT_CLIENT_SECRET');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a public URL HubSpot cannot send webhooks to, in one line', async () => {
    const s = sink();
    expect(await hubspotAppCommand({ publicUrl: 'http://localhost:3000', out: '/nonexistent', dir: 'mappings' }, s.out)).toBe(1);
    expect(s.text()).toBe(
      "--public-url 'http://localhost:3000' is not an https:// URL; HubSpot sends webhooks only to a public HTTPS address. Fix: pass Baton's BATON_PUBLIC_URL, e.g. --public-url https://baton.example.com\n",
    );
  });
});
