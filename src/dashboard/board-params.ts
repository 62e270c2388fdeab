// The handoffs board's query string (state, sort, rep, lead, mapping, page): anything unknown falls
// back to the default instead of failing, so a hand-edited URL still shows a page.
import { z } from 'zod';
import { BOARD_SORTS, BOARD_STATES, type BoardFilter } from './queries/board-query.js';

const BoardQuery = z.object({
  state: z.enum(BOARD_STATES).catch('open'),
  sort: z.enum(BOARD_SORTS).catch('risk'),
  rep: z.string().max(320).optional().catch(undefined),
  lead: z.string().max(320).optional().catch(undefined),
  mapping: z.string().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function parseBoardQuery(query: unknown): BoardFilter {
  const q = BoardQuery.parse(query ?? {});
  return { state: q.state, sort: q.sort, rep: q.rep || undefined, lead: q.lead || undefined, mapping: q.mapping || undefined, page: q.page };
}
