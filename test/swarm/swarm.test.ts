/**
 * Swarm mode end to end (pipeline): the real `claude -p` for planner, executors and reviewers, talking
 * to a scripted model; concurrency, batch order, and `braid start --mode swarm`.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn } from "../helpers/env.js";
import { afterTool, maxOverlap, promptOf } from "../helpers/model-stub.js";
import { executorId, role, subtask, useSwarmFixture } from "./swarm-fixture.js";

describe("braid swarm: pipeline (real claude -p against a scripted model)", () => {
  const f = useSwarmFixture();

  it("runs 3 independent subtasks as 3 concurrent executors, merges them, and passes on 3 PASS verdicts", async () => {
    f.scenario = (req) =>
      role(req) === "planner" && promptOf(req).includes("task for s3")
        ? {
            structured: {
              batches: [{ subtasks: [subtask("t1", "t1.txt"), subtask("t2", "t2.txt"), subtask("t3", "t3.txt")] }],
            },
          }
        : undefined;
    const from = f.model.requests.length;
    f.holdExecutors = true;
    const r = await f.run("s3");
    f.holdExecutors = false;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "done");
    assert.equal(rec.plan.source, "planner");
    const mine = f.model.answered(from);
    assert.equal(
      maxOverlap(mine, (q) => role(q) === "executor" && !afterTool(q)),
      3,
      "3 executors in flight at once",
    );
    assert.deepEqual(
      new Set(mine.filter((q) => role(q) === "executor").map((q) => q.cwd)).size,
      3,
      "each executor works in its own sub-worktree",
    );
    assert.equal(rec.rounds.length, 1);
    assert.deepEqual(
      rec.rounds[0].verdicts.map((v: { verdict: string }) => v.verdict),
      ["PASS", "PASS", "PASS"],
    );
    assert.deepEqual(
      new Set(rec.rounds[0].verdicts.map((v: { focus: string }) => v.focus.split(" ")[0])),
      new Set(["functional", "security", "code"]),
    );
    assert.equal(rec.rounds[0].merges.length, 3);
    const session = JSON.parse((await braid(f.sb, f.repo, ["ls", "--json"])).stdout).worktrees.find(
      (w: { session: string }) => w.session === "s3",
    );
    for (const file of ["t1.txt", "t2.txt", "t3.txt"])
      assert.ok(existsSync(join(session.path, file)), `${file} merged`);
    assert.equal(gitIn(f.sb, session.path, "status", "--porcelain"), "", "session worktree is clean");
    assert.ok(!existsSync(`${session.path}.swarm/r1-t1`), "sub-worktrees are removed after integration");
    assert.match(gitIn(f.sb, f.repo, "branch", "--list", "braid-swarm/s3/*"), /r1-t1/, "executor branches are kept");
    const shown = await braid(f.sb, f.repo, ["swarm", "s3", "--json"]);
    assert.deepEqual(JSON.parse(shown.stdout).rounds, rec.rounds, "braid swarm NAME --json shows the same record");
    const text = await braid(f.sb, f.repo, ["swarm", "s3"]);
    assert.match(text.stdout, /swarm done/);
    assert.match(text.stdout, /r1-review-a2/);
  });

  it("runs a 2-batch plan in order: batch 2 starts after batch 1 is merged and sees its files", async () => {
    let batch2SawBatch1: boolean | null = null;
    f.scenario = (req) => {
      if (role(req) === "planner" && promptOf(req).includes("task for b2")) {
        return {
          structured: {
            batches: [
              { subtasks: [subtask("types", "types.txt")] },
              { subtasks: [subtask("impl", "impl.txt", ["types"])] },
            ],
          },
        };
      }
      if (executorId(req) === "impl" && !afterTool(req)) batch2SawBatch1 = existsSync(join(req.cwd ?? "", "types.txt"));
      return undefined;
    };
    const from = f.model.requests.length;
    const r = await f.run("b2", ["--architects", "1"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const mine = f.model.answered(from);
    const types = mine.filter((q) => executorId(q) === "types");
    const impl = mine.filter((q) => executorId(q) === "impl");
    assert.ok(types.length && impl.length);
    assert.ok(
      Math.max(...types.map((q) => q.finishedAt ?? Infinity)) <= Math.min(...impl.map((q) => q.receivedAt)),
      "batch 1 finished first",
    );
    assert.equal(batch2SawBatch1, true, "batch 2 branched from the session branch after batch 1 was integrated");
    const rec = JSON.parse(r.stdout);
    assert.deepEqual(
      rec.agents
        .filter((a: { role: string }) => a.role === "executor")
        .map((a: { id: string; batch: number }) => [a.id, a.batch]),
      [
        ["r1-types", 1],
        ["r1-impl", 2],
      ],
    );
  });

  it("braid start NAME TASK --mode swarm runs the swarm headless as the session's agent", async () => {
    f.scenario = (req) =>
      role(req) === "planner" && promptOf(req).includes("task for st")
        ? { structured: { batches: [{ subtasks: [subtask("t1", "t1.txt")] }] } }
        : undefined;
    const r = await braid(
      f.sb,
      f.repo,
      ["start", "st", "task for st", "--mode", "swarm", "--architects", "1", "--json"],
      {
        env: f.env,
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(JSON.parse(r.stdout).session.ext.mode, "swarm");
    let rec: { state: string; architects: number } | null = null;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const shown = await braid(f.sb, f.repo, ["swarm", "st", "--json"], { env: f.env });
      if (shown.code === 0) {
        rec = JSON.parse(shown.stdout);
        if (rec?.state === "done" || rec?.state === "failed") break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    assert.equal(rec?.state, "done");
    assert.equal(rec?.architects, 1, "--architects reached the swarm");
    const session = JSON.parse((await braid(f.sb, f.repo, ["ls", "--json"])).stdout).worktrees.find(
      (w: { session: string }) => w.session === "st",
    );
    assert.ok(existsSync(join(session.path, "t1.txt")));
    const status = await braid(f.sb, f.repo, ["status", "--json"], { env: f.env });
    assert.match(
      status.stdout,
      /"detail": "swarm done: all reviewers passed in round 1"/,
      "braid status shows the swarm's phase",
    );
  });

  it("start --mode swarm takes --rounds/--executors, says each thing once and never offers attach", async () => {
    f.scenario = (req) =>
      role(req) === "planner" && promptOf(req).includes("task for sr")
        ? { structured: { batches: [{ subtasks: [subtask("t1", "sr.txt")] }] } }
        : undefined;
    const bad = await braid(f.sb, f.repo, ["start", "nope", "x", "--rounds", "2"], { env: f.env });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--rounds only applies to a swarm.*--mode swarm/);
    const r = await braid(
      f.sb,
      f.repo,
      ["start", "sr", "task for sr", "--mode", "swarm", "--rounds", "2", "--executors", "2", "--architects", "1"],
      { env: f.env, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /attach/, "a swarm has no terminal to attach to");
    assert.match(r.stdout, /follow: braid swarm sr/);
    let rec: { state: string; maxRounds: number; executors: number } | null = null;
    const details = new Set<string>();
    for (const deadline = Date.now() + 150_000; Date.now() < deadline; ) {
      const st = await braid(f.sb, f.repo, ["status", "sr", "--json"], { env: f.env });
      const d = JSON.parse(st.stdout).sessions[0]?.detail;
      if (d) details.add(d);
      const shown = await braid(f.sb, f.repo, ["swarm", "sr", "--json"], { env: f.env });
      if (shown.code === 0) {
        rec = JSON.parse(shown.stdout);
        if (rec?.state === "done" || rec?.state === "failed") break;
      }
      await new Promise((res) => setTimeout(res, 300));
    }
    assert.equal(rec?.state, "done");
    assert.equal(rec?.maxRounds, 2, "--rounds reached the swarm");
    assert.equal(rec?.executors, 2, "--executors reached the swarm");
    for (const d of details) assert.doesNotMatch(d, /\b([a-z]{3,}): \1\b/, `said twice: ${d}`);
    const shown = await braid(f.sb, f.repo, ["swarm", "sr"], { env: f.env });
    assert.doesNotMatch(shown.stdout, /\b(planning|failed): \1/);
  });
});
