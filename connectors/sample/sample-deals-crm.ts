// A CRM that reads deals from JSON files (one CrmDeal per `<dealId>.json`). It lets a new user see
// the whole flow with no CRM credentials (npm run demo) and lets admins preview against saved deals.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrmConnector, CrmDeal, CrmPipeline, CrmReconcileHit } from '../../src/handoff/ports.js';

export function createSampleDealsCrm(dir: string, pipelines: CrmPipeline[]): CrmConnector {
  return {
    crm: 'hubspot',
    mode: 'dry-run',
    async getDeal(dealId: string): Promise<CrmDeal | null> {
      if (!/^[A-Za-z0-9_-]+$/.test(dealId)) return null; // ids become file names: no paths
      try {
        const deal = JSON.parse(await readFile(join(dir, `${dealId}.json`), 'utf8')) as CrmDeal;
        // A saved deal is no record in any portal: no address into one, whatever the file says.
        return { ...deal, url: null };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async listPipelines() {
      return pipelines;
    },
    async *searchDealsEnteredStages(): AsyncIterable<CrmReconcileHit> {
      // Files have no stage history to search.
    },
  };
}
