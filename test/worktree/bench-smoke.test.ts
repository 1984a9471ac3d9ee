import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../helpers/env.js";

describe("bench/worktree --quick", () => {
  it("runs end to end and prints every measurement with its ratio", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "bench", "worktree.js"), "--quick"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /git worktree add \(checkout\.workers=0\)\s+\d+\.\d+ s/);
    assert.match(r.stdout, /braid new --no-bootstrap\s+\d+\.\d+ s/);
    assert.match(r.stdout, /ratio vs raw add: \d+\.\d+x/);
    assert.match(r.stdout, /node_modules copy \(braid's report\)\s+\d+\.\d+ s/);
    assert.match(r.stdout, /cp -a node_modules\s+\d+\.\d+ s/);
    assert.match(r.stdout, /bootstrap copy \/ cp -a: \d+\.\d+x/);
  });
});
