/** Short human figures shared by the board and tables: durations, token counts, dollars, bytes. */

/** 42 → "42s", 3720 → "1h02m" (seconds in, compact text out). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

/** 1234 → "1.2k", 5_600_000 → "5.6M". */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}

/** 0.0042 → "$0.004", 0.41 → "$0.41", 12.3 → "$12.30". */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return `$${usd.toFixed(usd < 0.01 ? 3 : 2)}`;
}

/**
 * Bytes in binary units, the one byte formatter (disk reclaimed, memory): 100900000 → "96.2 MiB", or with
 * `short` (board cells) → "96M".
 */
export function formatBytes(bytes: number, o: { short?: boolean } = {}): string {
  const units = o.short ? ["B", "K", "M", "G", "T"] : ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (o.short) return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
