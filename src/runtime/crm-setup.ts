// `baton hubspot setup`: the CRM-side setup Baton needs (for HubSpot, the property group and the properties the
// default mapping reads and writes: connectors/hubspot/hubspot-setup.ts), with the configured credentials.
import type { BatonConfig } from '../config/read-env-options.js';
import { formatSetupResult, setupHubSpotProperties } from '../../connectors/hubspot/hubspot-setup.js';

export interface CrmSetupOutcome {
  /** What was created, found or in conflict, one line each. */
  report: string;
  /** Properties that exist with another definition: an admin must resolve them. */
  conflicts: number;
}

/** Throws on a failed call (its message is for the admin); the caller checks the access token is set. */
export async function setUpCrm(config: BatonConfig, accessToken: string): Promise<CrmSetupOutcome> {
  const result = await setupHubSpotProperties({ accessToken, basePath: config.hubspot.apiBaseUrl, timeoutMs: config.httpTimeoutMs });
  return { report: formatSetupResult(result), conflicts: result.conflicts.length };
}
