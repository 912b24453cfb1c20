export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatEta(remaining: number, rate: number): string {
  if (rate <= 0 || remaining <= 0) return '';
  const s = Math.ceil(remaining / rate);
  if (s < 60) return `${s} s left`;
  return `${Math.floor(s / 60)} min ${s % 60} s left`;
}
/** Up to 2 decimals, trailing zeros stripped, suffix ms (as the original). */
export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return `${Number(ms.toFixed(2))} ms`;
}
