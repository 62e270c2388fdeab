// The registry is how a job finds the CRM, work tool and client channel of a handoff: by the name the deal,
// plan or intro carries. An unknown name is a mistake an admin fixes, so it fails for good with the fix.
import { describe, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../../src/handoff/connector-registry.js';
import { isPermanent } from '../../../src/handoff/errors.js';
import type { ChatConnector, ClientChannel, CrmConnector, CrmWriter, WorkToolConnector } from '../../../src/handoff/ports.js';

// Only the names matter here: nothing is called.
const crm = (name: string) => ({ crm: name, mode: 'live' }) as unknown as CrmConnector;
const writer = (name: string) => ({ crm: name, mode: 'live' }) as unknown as CrmWriter;
const tool = (name: 'jira' | 'asana') => ({ tool: name, mode: 'live' }) as unknown as WorkToolConnector;
const chat = { tool: 'slack', mode: 'live' } as unknown as ChatConnector;
const email = { tool: 'email', mode: 'live' } as unknown as ClientChannel;

const registry = createConnectorRegistry({
  crms: {
    hubspot: { reader: crm('hubspot'), writer: writer('hubspot'), samples: null, accountId: '123' },
    salesforce: { reader: crm('salesforce'), writer: writer('salesforce'), samples: null },
  },
  workTools: { jira: tool('jira'), asana: tool('asana') },
  clientChannels: { slack: chat, email },
  teamChat: chat,
});

describe('connector registry', () => {
  it('finds each CRM, work tool and client channel by the name a deal, plan or intro carries', () => {
    expect(registry.crm('salesforce').reader.crm).toBe('salesforce');
    expect(registry.crm('hubspot').writer.crm).toBe('hubspot');
    expect(registry.crm('hubspot').accountId).toBe('123');
    expect(registry.workTool('asana').tool).toBe('asana');
    expect(registry.clientChannel('email')).toBe(email);
    expect(registry.teamChat).toBe(chat);
    expect(registry.crms().map((c) => c.reader.crm)).toEqual(['hubspot', 'salesforce']);
    expect(registry.workTools().map((t) => t.tool)).toEqual(['jira', 'asana']);
  });

  it('an unknown name fails for good, naming what is configured', () => {
    const attempt = () => registry.crm('pipedrive');
    expect(attempt).toThrow("no CRM connector 'pipedrive' (configured: hubspot, salesforce); fix the mapping or add the connector");
    try {
      attempt();
    } catch (e) {
      expect(isPermanent(e)).toBe(true);
    }
    expect(() => registry.workTool('linear')).toThrow("no work tool connector 'linear' (configured: jira, asana)");
    // Inherited object keys are not connectors.
    expect(() => registry.clientChannel('toString')).toThrow("no client channel connector 'toString'");
  });
});
