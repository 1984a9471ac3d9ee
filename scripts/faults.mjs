// The fault suite (test/faults): kill -9 at named points, full disks, races with a committing stand-in
// agent, hostile config and files. Runs the compiled tests and prints what was tried, what braid survived
// and how much work was lost. Usage: npm run faults
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = "dist/test/faults";
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".test.js"))
  .sort()
  .map((f) => join(dir, f));
const tmp = mkdtempSync(join(tmpdir(), "braid-faults-"));
const report = join(tmp, "cases.jsonl");
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=dot", ...files], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, BRAID_FAULTS_REPORT: report },
});
let rows = [];
try {
  rows = readFileSync(report, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
} catch {
  /* no case recorded */
}
rmSync(tmp, { recursive: true, force: true });
const total = rows.reduce(
  (a, c) => ({ tried: a.tried + c.tried, survived: a.survived + c.survived, workLost: a.workLost + c.workLost }),
  {
    tried: 0,
    survived: 0,
    workLost: 0,
  },
);
const table = [
  ["case", "tried", "survived", "work lost"],
  ...rows.map((c) => [c.case, c.tried, c.survived, c.workLost]),
  ["total", total.tried, total.survived, total.workLost],
].map((row) => row.map(String));
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(`\n${line(table[0])}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const row of table.slice(1, -1)) console.log(line(row));
console.log(`${widths.map((w) => "-".repeat(w)).join("  ")}\n${line(table.at(-1))}`);
console.log(
  `\ncases tried ${total.tried} / survived ${total.survived} / work lost ${total.workLost}${r.status === 0 ? "" : " (some fault tests FAILED)"}`,
);
process.exit(r.status !== 0 || total.workLost > 0 || total.survived < total.tried ? 1 : 0);
