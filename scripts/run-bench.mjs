// Runs every compiled bench script in turn (each prints its own numbers), then one summary table of the
// rows they reported (bench/summary.ts): braid's figure, the baseline from the same run, ratio, target.
//   node scripts/run-bench.mjs [filter[,filter...]] [args for the scripts...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";

const TAG = "BENCH-SUMMARY ";
const dir = "dist/bench";
/** Substrings of the script names to run, comma-separated ("hook,merge"); none: all. */
const only = process.argv[2] ? process.argv[2].split(",") : null;
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".js") && f !== "summary.js" && (!only || only.some((o) => f.includes(o))))
      .sort()
  : [];
const load = loadavg()[0].toFixed(2);
// NODE_EXTRA_CA_CERTS makes node read and parse a certificate file at every start (+40 ms on a machine with the
// full CA bundle): the same constant on both sides of every ratio against node, hiding braid's own cost in it.
// The benches run without it; BENCH_KEEP_CA=1 keeps it (how a user behind such a proxy sees braid).
const caNote = process.env.NODE_EXTRA_CA_CERTS
  ? process.env.BENCH_KEEP_CA === "1"
    ? "NODE_EXTRA_CA_CERTS kept (BENCH_KEEP_CA=1): every node start reads it"
    : "NODE_EXTRA_CA_CERTS unset for the runs (BENCH_KEEP_CA=1 keeps it)"
  : null;
if (process.env.NODE_EXTRA_CA_CERTS && process.env.BENCH_KEEP_CA !== "1") delete process.env.NODE_EXTRA_CA_CERTS;
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
  if (caNote) console.log(caNote);
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`);
    if (i === 0) console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  }
}
process.exit(failed ? 1 : 0);
