// Runs every compiled bench script in turn; each prints its own numbers.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const dir = "dist/bench";
const only = process.argv[2];
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".js") && (!only || f.includes(only)))
      .sort()
  : [];
let failed = 0;
for (const f of files) {
  console.log(`\n== bench/${f}`);
  const r = spawnSync(process.execPath, [`${dir}/${f}`, ...process.argv.slice(3)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
