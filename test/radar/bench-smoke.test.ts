import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "../helpers/env.js";

it("bench/radar --quick runs and prints radar vs naive timings", () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "bench", "radar.js"), "--quick"], {
    encoding: "utf8",
    timeout: 170_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sessions\s+radar-cold\s+radar-warm\s+naive\s+naive\/warm/);
  const rows = r.stdout.split("\n").filter((l) => /^\d+\s+\d+\s+\d+\s+\d+/.test(l));
  assert.equal(rows.length, 2);
  // 3 sessions: pair (0,1) clashes on a new file and edits one file on different lines; s2 overlaps nobody
  const [, , , , , merged, conflicts] = (rows[1] as string).trim().split(/\s+/);
  assert.equal(conflicts, "1");
  assert.equal(merged, "1");
});
