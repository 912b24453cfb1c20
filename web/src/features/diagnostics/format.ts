/** Up to 2 decimals, trailing zeros stripped, suffix ms (as the original). */
export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return `${Number(ms.toFixed(2))} ms`;
}
