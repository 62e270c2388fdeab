// `baton hubspot setup`: creates the "Baton handoff" deal property group and its properties, idempotently.
// Existing properties are left alone except for adding missing baton_status options (Baton writes them);
// a property that exists with another type is reported, never changed (that would lose the reps' data).
import { BATON_PROPERTIES, BATON_PROPERTY_GROUP, toPropertyCreate, type BatonPropertyDefinition } from './baton-properties.js';
import { createHubSpotSdk, type HubSpotSdkOptions } from './hubspot-sdk.js';
import { scopeOf } from './required-scopes.js';

export type HubSpotSetupOptions = HubSpotSdkOptions & { portalId?: string };

export interface HubSpotSetupResult {
  /** Group and property names created by this run (the group as "group baton_handoff"). */
  created: string[];
  existing: string[];
  /** Properties changed by this run (missing enumeration options added). */
  updated: string[];
  /** Properties that exist with a different type: left as they are; the admin decides. */
  conflicts: Array<{ name: string; problem: string; fix: string }>;
}

const READ = scopeOf('GET', '/crm/v3/properties/deals/{propertyName}');
const WRITE = scopeOf('POST', '/crm/v3/properties/deals');

interface ExistingProperty {
  name: string;
  type: string;
  options?: Array<{ label: string; value: string; displayOrder?: number; hidden?: boolean }>;
}

export async function setupHubSpotProperties(opts: HubSpotSetupOptions): Promise<HubSpotSetupResult> {
  const sdk = createHubSpotSdk(opts);
  const props = sdk.client.crm.properties;
  const result: HubSpotSetupResult = { created: [], existing: [], updated: [], conflicts: [] };
  const groupLabel = `group ${BATON_PROPERTY_GROUP.name}`;

  const group = await sdk.sendOr404(`setup: read property group ${BATON_PROPERTY_GROUP.name}`, READ, (call) =>
    props.groupsApi.getByName('deals', BATON_PROPERTY_GROUP.name, call),
  );
  if (group === undefined) {
    await sdk.send(`setup: create property group ${BATON_PROPERTY_GROUP.name}`, WRITE, (call) =>
      props.groupsApi.create('deals', { ...BATON_PROPERTY_GROUP }, call),
    );
    result.created.push(groupLabel);
  } else {
    result.existing.push(groupLabel);
  }

  for (const def of BATON_PROPERTIES) {
    const found = (await sdk.sendOr404(`setup: read property ${def.name}`, READ, (call) =>
      props.coreApi.getByName('deals', def.name, false, undefined, call),
    )) as ExistingProperty | undefined;
    if (found === undefined) {
      await sdk.send(`setup: create property ${def.name}`, WRITE, (call) =>
        props.coreApi.create('deals', toPropertyCreate(def) as never, call),
      );
      result.created.push(def.name);
      continue;
    }
    if (found.type !== def.type) {
      result.conflicts.push({
        name: def.name,
        problem: `deal property ${def.name} exists with type ${found.type}; Baton expects ${def.type}`,
        fix: `change ${def.name} to a ${def.type} property in HubSpot (Settings → Properties), or delete it and run \`baton hubspot setup\` again`,
      });
      continue;
    }
    const missing = missingOptions(def, found);
    if (missing.length > 0) {
      const options = [...(found.options ?? []), ...missing];
      await sdk.send(`setup: add options to ${def.name}`, WRITE, (call) =>
        props.coreApi.update('deals', def.name, { options } as never, call),
      );
      result.updated.push(def.name);
      continue;
    }
    result.existing.push(def.name);
  }
  return result;
}

function missingOptions(def: BatonPropertyDefinition, found: ExistingProperty): NonNullable<BatonPropertyDefinition['options']> {
  if (!def.options) return [];
  const have = new Set((found.options ?? []).map((o) => o.value));
  return def.options.filter((o) => !have.has(o.value));
}

/** What `baton hubspot setup` prints: one line per thing, grouped, conflicts with their fix. */
export function formatSetupResult(r: HubSpotSetupResult): string {
  const lines: string[] = [];
  const list = (title: string, names: string[]) => {
    if (names.length > 0) lines.push(`${title} (${names.length}):`, ...names.map((n) => `  ${n}`));
  };
  list('Created', r.created);
  list('Updated', r.updated);
  list('Already there', r.existing);
  for (const c of r.conflicts) lines.push(`Problem: ${c.problem}`, `  Fix: ${c.fix}`);
  if (r.created.length === 0 && r.updated.length === 0 && r.conflicts.length === 0) {
    lines.push('Nothing to do: the Baton handoff properties are all in place.');
  }
  return lines.join('\n');
}
