/**
 * One row of `npm run bench`'s summary table: each bench script prints its headline figures with this,
 * and scripts/run-bench.mjs collects the rows into one table after every script ran.
 */
export interface SummaryRow {
  what: string;
  /** braid's figure (ms, or % of a core with `unit`). */
  braid: number;
  /** The baseline measured in the same run, and what it is. */
  baseline: number | null;
  baselineLabel: string;
  /** "≤ 1.5×", "≤ 3%": the target. */
  target: string;
  unit?: "ms" | "%";
}

export const SUMMARY_TAG = "BENCH-SUMMARY ";

export function summaryRow(row: SummaryRow): void {
  console.log(`${SUMMARY_TAG}${JSON.stringify(row)}`);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
