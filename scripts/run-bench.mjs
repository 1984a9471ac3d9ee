// Runs every compiled bench script in turn (each prints its own numbers), then one summary table of the
// rows they reported (bench/summary.ts): braid's figure, the baseline from the same run, ratio, target.
//   node scripts/run-bench.mjs [filter] [args for the scripts...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";

const TAG = "BENCH-SUMMARY ";
const dir = "dist/bench";
const only = process.argv[2];
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".js") && f !== "summary.js" && (!only || f.includes(only)))
      .sort()
  : [];
const load = loadavg()[0].toFixed(2);
const rows = [];
let failed = 0;
for (const f of files) {
  console.log(`\n== bench/${f}`);
  const r = spawnSync(process.execPath, [`${dir}/${f}`, ...process.argv.slice(3)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of (r.stdout ?? "").split("\n")) {
    if (line.startsWith(TAG)) rows.push(JSON.parse(line.slice(TAG.length)));
    else if (line) console.log(line);
  }
  if (r.status !== 0) failed++;
}
if (rows.length) {
  const fmt = (v, unit) => (v === null || v === undefined ? "—" : `${v.toFixed(unit === "%" ? 1 : 0)}${unit ?? " ms"}`);
  const table = [
    ["what", "braid", "baseline", "baseline is", "ratio", "target"],
    ...rows.map((r) => [
      r.what,
      fmt(r.braid, r.unit),
      fmt(r.baseline, r.unit),
      r.baselineLabel,
      r.baseline ? `${(r.braid / r.baseline).toFixed(2)}×` : "—",
      r.target,
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log(`\n== summary (load average at start ${load}, now ${loadavg()[0].toFixed(2)})`);
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`);
    if (i === 0) console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  }
}
process.exit(failed ? 1 : 0);
