// `baton hubspot setup`: the property group and properties the default mapping reads and writes.
import { readEnvOptions, ConfigError } from '../config/read-env-options.js';
import { setupHubSpotProperties, formatSetupResult } from '../../connectors/hubspot/hubspot-setup.js';

export async function hubspotSetupCommand(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let config;
  try {
    config = readEnvOptions(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      out.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (!config.hubspot.accessToken) {
    out.write('HUBSPOT_ACCESS_TOKEN is not set: nothing to set up (Baton runs HubSpot in dry-run without it)\n');
    return 1;
  }
  try {
    const result = await setupHubSpotProperties({ accessToken: config.hubspot.accessToken, basePath: config.hubspot.apiBaseUrl, timeoutMs: config.httpTimeoutMs });
    out.write(`${formatSetupResult(result)}\n`);
    return result.conflicts.length > 0 ? 1 : 0;
  } catch (e) {
    out.write(`HubSpot setup failed: ${(e as Error).message}\n`);
    return 1;
  }
}
