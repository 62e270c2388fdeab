// Which connector serves a handoff is a lookup here, never a field picked by hand: the CRM by the deal's
// or event's `crm` (a mapping's `trigger.crm`), the work tool by the plan's `work.tool`, the client channel
// by the intro's `tool`. src/runtime/build-connectors.ts builds the one registry; a second CRM (Salesforce)
// or client channel (email) is a new connectors/<x>/ folder plus one line there.
import { PermanentError } from './errors.js';
import type { ChatConnector, ClientChannel, CrmConnector, CrmWriter, WorkToolConnector } from './ports.js';

/** One CRM's connectors: reading deals, writing back, and saved sample deals for dry-run (BATON_SAMPLE_DEALS_DIR). */
export interface CrmConnectors {
  reader: CrmConnector;
  writer: CrmWriter;
  /** Consulted when the CRM cannot be read (no credentials); null without a samples directory. */
  samples: CrmConnector | null;
  /** The account its events carry (HubSpot: the portal id), for the events reconciliation makes; else `default`. */
  accountId?: string;
}

export interface ConnectorRegistry {
  /** The CRM named by a deal, event or handoff (`crm`); a PermanentError naming the known ones when none is configured. */
  crm(name: string): CrmConnectors;
  /** Every configured CRM (reconciliation sweeps each). */
  crms(): CrmConnectors[];
  /** The work tool a plan names (`work.tool`). */
  workTool(tool: string): WorkToolConnector;
  workTools(): WorkToolConnector[];
  /** The client channel an intro names (`intro.tool`). */
  clientChannel(tool: string): ClientChannel;
  /** The team's chat: escalations, DMs to the team, mentions, modals. */
  teamChat: ChatConnector;
}

/** The registry over plain records, keyed by the names mappings use. */
export function createConnectorRegistry(c: {
  crms: Record<string, CrmConnectors>;
  workTools: Record<string, WorkToolConnector>;
  clientChannels: Record<string, ClientChannel>;
  teamChat: ChatConnector;
}): ConnectorRegistry {
  const pick = <T>(all: Record<string, T>, what: string, name: string): T => {
    const found = Object.hasOwn(all, name) ? all[name] : undefined;
    if (found) return found;
    // A mapping or a stored handoff names a system this process has no connector for: an admin must act.
    throw new PermanentError(`no ${what} connector '${name}' (configured: ${Object.keys(all).join(', ') || 'none'}); fix the mapping or add the connector`, name);
  };
  return {
    crm: (name) => pick(c.crms, 'CRM', name),
    crms: () => Object.values(c.crms),
    workTool: (tool) => pick(c.workTools, 'work tool', tool),
    workTools: () => Object.values(c.workTools),
    clientChannel: (tool) => pick(c.clientChannels, 'client channel', tool),
    teamChat: c.teamChat,
  };
}
