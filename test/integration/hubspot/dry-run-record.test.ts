// Dry-run must record the exact request (issue 11, item 15): for the same input, the HubSpot writes the dry-run
// writer records are the writes the live writer sends to the HubSpot stand-in — method, path and body — with
// only the id HubSpot assigns to the new note shown as a placeholder.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { createDryRunCrmWriter, DRY_RUN_NOTE_ID } from '../../../connectors/dry-run/dry-run-connectors.js';
import { createHubSpotWriter } from '../../../connectors/hubspot/hubspot-writer.js';
import { plannedHubSpotWrites } from '../../../connectors/hubspot/write-requests.js';
import type { DryRunSink, MilestoneWriteRequest, NoteRequest, WriteBackRequest } from '../../../src/handoff/ports.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';

let standin: HubSpotStandin;
beforeEach(async () => {
  // One clock for both writers: the note's hs_timestamp is "now".
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-06T09:30:00.000Z'));
  standin = await startHubSpotStandin();
  standin.addDeal({ id: '4711', properties: { dealname: 'ACME rollout', dealstage: 'closedwon' } });
});
afterEach(async () => {
  vi.useRealTimers();
  await standin.close();
});

function recordingSink(): DryRunSink & { payloads: { action: string; payload: { requests: unknown[] } }[] } {
  const payloads: { action: string; payload: { requests: unknown[] } }[] = [];
  return { payloads, record: async (r) => (payloads.push(r as (typeof payloads)[number]), { created: true, id: payloads.length }) };
}

const live = () => createHubSpotWriter({ accessToken: standin.accessToken, basePath: standin.url, limiter: unlimited, requestsPerSecond: 100, timeoutMs: 5_000 });

const writeBack = (): WriteBackRequest => ({
  handoffId: 'h-42',
  mapping: 'services-onboarding',
  idempotencyKey: 'h-42:write-back',
  dealId: '4711',
  status: 'in_delivery',
  workUrl: 'https://acme.atlassian.net/browse/DEL-7',
  kickoffDue: '2026-12-14',
  handoffUrl: 'https://baton.example/handoffs/h-42',
  clientThreadTs: '1764990000.000100',
  note: 'Baton handoff: <ACME> & co\nDelivery work: https://acme.atlassian.net/browse/DEL-7',
  progress: { saved: {}, firstAttempt: true, save: async () => undefined },
});

describe('the dry-run HubSpot record is the exact request the live writer sends', () => {
  it('write-back: the note (association 214) and the deal PATCH with the baton_* properties', async () => {
    const sent = await live().writeBack(writeBack());
    const sink = recordingSink();
    await createDryRunCrmWriter('hubspot', sink, plannedHubSpotWrites).writeBack(writeBack());

    const [record] = sink.payloads;
    expect(record?.action).toBe('writeBack');
    // The live writer sends the note's real id where dry-run can only name it.
    const recorded = JSON.parse(JSON.stringify(record!.payload.requests).replaceAll(DRY_RUN_NOTE_ID, sent.noteId!));
    expect(standin.state.writes).toHaveLength(2);
    expect(recorded).toEqual(standin.state.writes);
    // What that means, spelled out once: never status/workUrl, always HubSpot's own property names.
    expect(record!.payload.requests[1]).toEqual({
      method: 'PATCH',
      path: '/crm/v3/objects/deals/4711',
      body: {
        properties: {
          baton_status: 'in_delivery',
          baton_handoff_url: 'https://baton.example/handoffs/h-42',
          baton_note_id: DRY_RUN_NOTE_ID,
          baton_work_url: 'https://acme.atlassian.net/browse/DEL-7',
          baton_kickoff_due: String(Date.UTC(2026, 11, 14)),
          baton_client_thread_ts: '1764990000.000100',
        },
      },
    });
  });

  it('a milestone PATCH and an extra note (feedback) are recorded as sent too', async () => {
    const milestone: MilestoneWriteRequest = { handoffId: 'h-42', idempotencyKey: 'h-42:milestone:kickoff', dealId: '4711', milestone: 'kickoff', status: 'kickoff_done', date: '2026-12-15' };
    const note: NoteRequest = { handoffId: 'h-42', idempotencyKey: 'h-42:feedback', dealId: '4711', note: 'Delivery feedback: 9/10' };
    await live().writeMilestone!(milestone);
    await live().addNote!(note);
    const sink = recordingSink();
    const dry = createDryRunCrmWriter('hubspot', sink, plannedHubSpotWrites);
    await dry.writeMilestone!(milestone);
    await dry.addNote!(note);

    expect(sink.payloads.map((p) => p.action)).toEqual(['writeMilestone', 'addNote']);
    expect(sink.payloads.flatMap((p) => p.payload.requests)).toEqual(standin.state.writes);
  });
});
