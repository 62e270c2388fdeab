// `baton hubspot setup`: the property group and properties the default mapping reads and writes.
import { readConfigOrReport } from './read-config.js';
import { setUpCrm } from '../runtime/crm-setup.js';

export async function hubspotSetupCommand(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = readConfigOrReport(out);
  if (!config) return 1;
  if (!config.hubspot.accessToken) {
    out.write('HUBSPOT_ACCESS_TOKEN is not set: nothing to set up (Baton runs HubSpot in dry-run without it)\n');
    return 1;
  }
  try {
    const outcome = await setUpCrm(config, config.hubspot.accessToken);
    out.write(`${outcome.report}\n`);
    return outcome.conflicts > 0 ? 1 : 0;
  } catch (e) {
    out.write(`HubSpot setup failed: ${(e as Error).message}\n`);
    return 1;
  }
}
