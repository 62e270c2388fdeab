// Counts, in the stand-ins themselves, the external objects Baton created, and asserts exactly one of
// each per handoff: one Jira epic + its tasks (found by the baton-<handoff> label), one intro per client
// channel, one HubSpot note per deal. Used by the resilience tests after a fault mid-drain.
import { expect } from 'vitest';
import type { startWorld } from './standin-world.js';
import { channelId } from './standin-world.js';

type World = Awaited<ReturnType<typeof startWorld>>;
const HANDOFF_LABEL = /^baton-[0-9a-f-]{36}$/;

/** Tasks in mappings/default.yaml (assign-lead … first-deliverable); an epic plus these per handoff. */
export const DEFAULT_TASKS = 7;

export interface Effects {
  issues: number;
  epics: number;
  epicLabels: number;
  /** Handoff label → issues carrying it, only where that is not 1 + DEFAULT_TASKS. */
  wrongIssueCounts: Record<string, number>;
  /** Issues whose handoff label names no handoff in the store (or that carry none). */
  strayIssues: number;
  duplicateLinks: number;
  intros: number;
  /** Channels with more than one intro. */
  repeatedIntroChannels: string[];
  notes: number;
  /** Deals with more than one note. */
  repeatedNoteDeals: string[];
}

export function countEffects(world: World, handoffIds: string[]): Effects {
  const known = new Set(handoffIds.map((id) => `baton-${id}`));
  const perLabel = new Map<string, number>();
  let strayIssues = 0;
  for (const i of world.jira.state.issues) {
    const label = i.labels.find((l) => HANDOFF_LABEL.test(l));
    if (!label || !known.has(label)) strayIssues++;
    if (label) perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
  }
  const epics = world.jira.state.issues.filter((i) => i.issueType === 'Epic');
  const wrongIssueCounts: Record<string, number> = {};
  for (const label of known) {
    const n = perLabel.get(label) ?? 0;
    if (n !== 1 + DEFAULT_TASKS) wrongIssueCounts[label] = n;
  }
  const links = world.jira.state.links;
  const intros = world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro');
  const notes = [...world.hubspot.state.notes.values()];
  return {
    issues: world.jira.state.issues.length,
    epics: epics.length,
    epicLabels: new Set(epics.map((e) => e.labels.find((l) => HANDOFF_LABEL.test(l)))).size,
    wrongIssueCounts,
    strayIssues,
    duplicateLinks: links.length - new Set(links.map((l) => `${l.blocker}>${l.blocked}`)).size,
    intros: intros.length,
    repeatedIntroChannels: repeated(intros.map((m) => m.channel)),
    notes: notes.length,
    repeatedNoteDeals: repeated(notes.flatMap((n) => n.dealIds)),
  };
}

/** Exactly one of every effect for these handoffs of these deals, and nothing else. */
export function expectExactlyOnce(world: World, handoffs: { id: string; dealId: string }[]): Effects {
  const effects = countEffects(world, handoffs.map((h) => h.id));
  const n = handoffs.length;
  // toEqual, not toMatchObject: an expected {} must mean "no entries", not "any object".
  expect(effects).toEqual({
    issues: n * (1 + DEFAULT_TASKS),
    epics: n,
    epicLabels: n,
    wrongIssueCounts: {},
    strayIssues: 0,
    duplicateLinks: 0,
    intros: n,
    repeatedIntroChannels: [],
    notes: n,
    repeatedNoteDeals: [],
  });
  // The intros and notes landed where these deals say (channel C<index>, note on the deal).
  const deals = handoffs.map((h) => h.dealId).sort();
  const introChannels = world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro').map((m) => m.channel);
  expect(introChannels.sort()).toEqual(deals.map((d) => channelId(Number(d) - 5000)).sort());
  expect([...world.hubspot.state.notes.values()].flatMap((x) => x.dealIds).sort()).toEqual(deals);
  return effects;
}

function repeated(values: string[]): string[] {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return [...seen].filter(([, c]) => c > 1).map(([v]) => v);
}
