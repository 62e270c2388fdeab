// The timeline note as HubSpot stores it: hs_note_body is HTML, and deal text in it is untrusted, so the
// plain-text note is HTML-escaped line by line. The footer "Baton ref <handoffId>" is visible text on purpose:
// HubSpot may strip HTML comments, and a retry finds Baton's note by this footer.

/** HubSpot's limit on hs_note_body (FACTS 1d). */
export const NOTE_BODY_MAX_CHARS = 65_536;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export function noteMarker(handoffId: string): string {
  return `Baton ref ${handoffId}`;
}

/** True when a note body carries this handoff's footer (and not merely one whose id starts the same). */
export function hasNoteMarker(body: string | null | undefined, handoffId: string): boolean {
  if (!body) return false;
  const marker = escapeHtml(noteMarker(handoffId)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${marker}(?![A-Za-z0-9_:-])`).test(body);
}

export function formatNoteBody(note: string, handoffId: string): string {
  const footer = `<p>${escapeHtml(noteMarker(handoffId))}</p>`;
  const budget = NOTE_BODY_MAX_CHARS - footer.length - '<p></p>'.length;
  let text = escapeHtml(note.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>');
  if (text.length > budget) text = cutHtml(text, budget - ' … (truncated)'.length) + ' … (truncated)';
  return `<p>${text}</p>${footer}`;
}

/** Cuts escaped text without splitting an entity, a <br> or a surrogate pair. */
function cutHtml(text: string, max: number): string {
  let cut = text.slice(0, max);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';')) cut = cut.slice(0, amp);
  const lt = cut.lastIndexOf('<');
  if (lt > cut.lastIndexOf('>')) cut = cut.slice(0, lt);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
