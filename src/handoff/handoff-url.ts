// Where a handoff's page lives in the dashboard: one spelling for templates (`handoff_url`), the CRM
// write-back, escalations, nudges and feedback summaries.
export function handoffPageUrl(publicUrl: string, handoffId: string): string {
  return `${publicUrl}/handoffs/${handoffId}`;
}
