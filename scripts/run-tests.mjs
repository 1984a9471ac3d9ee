// Runs compiled test files with node's own test runner.
// Usage: node scripts/run-tests.mjs [--unit] [filter…]
//   filter: substrings of test file paths (any matches); --unit: only the fast tier (UNIT below).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The unit tier (`npm run test:unit`): pure logic, no tmux, no Claude, no git repositories, each file in
 * seconds. Add a test file here when it qualifies; everything else runs in `npm test` only.
 */
const UNIT = [
  "agents/detectors",
  "agents/units",
  "board/app",
  "board/lazy",
  "board/render",
  "board/source",
  "cli/docs",
  "cost/resources",
  "cost/transcript",
  "infra/json",
  "hosts/unit",
  "infra/pool",
  "kit/model-stub",
  "project/state-slots",
  "session/state-machine",
  "swarm/invoke",
  "ui/format",
  "worktree/names",
];

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (p.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const unit = args.includes("--unit");
// Substrings of test paths: a file runs when it contains any of them (none = all).
const filters = args.filter((a) => a !== "--unit");
const inTier = (f) => !unit || UNIT.some((u) => f.includes(`dist/test/${u}.test.js`));
const files = find("dist/test")
  .filter((f) => inTier(f) && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
if (files.length === 0) {
  console.error("no test files found under dist/test (did the build run?)");
  process.exit(1);
}
if (unit && files.length < UNIT.length && filters.length === 0) {
  const missing = UNIT.filter((u) => !files.some((f) => f.includes(`dist/test/${u}.test.js`)));
  console.error(
    `unit tier lists test files that do not exist: ${missing.join(", ")} (fix UNIT in scripts/run-tests.mjs)`,
  );
  process.exit(1);
}
const concurrency = process.env.BRAID_TEST_CONCURRENCY ?? "2";
const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
