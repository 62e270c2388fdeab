// `baton hubspot app --public-url <url> [--out dir]`: writes the HubSpot developer-platform project (docs/hubspot-app.md).
// Needs no credentials: it only reads the mappings (for the trigger properties) and writes files.
import { processEnv } from '../config/environment.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildHubSpotProject, PLATFORM_VERSION } from '../../connectors/hubspot/project-app.js';
import { formatMappingError, loadMappingsFromDir } from '../mapping/load-mappings.js';

export interface HubSpotAppOptions {
  publicUrl: string;
  out: string;
  dir: string;
}

export async function hubspotAppCommand(opts: HubSpotAppOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let url: URL | undefined;
  try {
    url = new URL(opts.publicUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
    out.write(`--public-url '${opts.publicUrl}' is not an https:// URL; HubSpot sends webhooks only to a public HTTPS address. Fix: pass Baton's BATON_PUBLIC_URL, e.g. --public-url https://baton.example.com\n`);
    return 1;
  }
  const { mappings, errors } = await loadMappingsFromDir(opts.dir, processEnv());
  for (const e of errors) out.write(`${formatMappingError(e)}\n`);
  if (errors.length > 0 || mappings.length === 0) {
    out.write(`no valid mappings in ${opts.dir}: the webhook subscriptions follow the mappings' triggers. Fix the mappings (baton validate ${opts.dir}) and run this again\n`);
    return 1;
  }
  const files = buildHubSpotProject({ publicUrl: url.href, mappings: mappings.map((m) => m.mapping) });
  const root = resolve(opts.out);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(content, null, 2)}\n`);
    out.write(`wrote ${target}\n`);
  }
  out.write(
    [
      `HubSpot project (platform ${PLATFORM_VERSION}) written to ${root}. Next:`,
      `  cd ${root} && hs project upload        (HubSpot CLI; \`hs account auth\` first)`,
      '  in HubSpot: Development → Projects → baton → the app → install it in your account',
      '  copy the app\'s static access token into HUBSPOT_ACCESS_TOKEN and its client secret into HUBSPOT_CLIENT_SECRET',
      '  then: baton hubspot setup && baton validate --live',
      '',
    ].join('\n'),
  );
  return 0;
}
