/** A DIMSE status as the PACS admin reads it in logs: 0xA700; '—' when there was none. */
export function statusHex(status: number | null | undefined): string {
  if (status === null || status === undefined) return '—';
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
}
