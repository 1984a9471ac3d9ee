/**
 * Swarm mode end to end (review rounds and fallbacks): FAIL → fix round, three FAIL rounds → failed,
 * invalid planner JSON → retry → single executor; bad input.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, isOneLineError } from "../helpers/env.js";
import { afterTool, promptOf } from "../helpers/model-stub.js";
import { PASS, role, subtask, useSwarmFixture } from "./swarm-fixture.js";

describe("braid swarm: rounds and fallbacks (real claude -p against a scripted model)", () => {
  const f = useSwarmFixture();

  it("sends one reviewer's FAIL issues back to the owning executor and passes in round 2", async () => {
    f.scenario = (req) => {
      if (!promptOf(req).includes("task for f1")) return undefined;
      if (role(req) === "planner") return { structured: { batches: [{ subtasks: [subtask("t1", "t1.txt")] }] } };
      if (role(req) === "reviewer" && !afterTool(req)) {
        const fixed = promptOf(req).includes("FIXED.txt");
        return fixed
          ? PASS
          : {
              structured: {
                verdict: "FAIL",
                summary: "unsafe",
                issues: [
                  {
                    id: "1",
                    severity: "high",
                    file: "t1.txt",
                    line: 1,
                    description: "leaks a secret",
                    fix: "remove it",
                  },
                ],
              },
            };
      }
      return undefined;
    };
    const r = await f.run("f1", ["--architects", "1"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "done");
    assert.equal(rec.rounds.length, 2);
    assert.equal(rec.rounds[0].passed, false);
    assert.deepEqual(rec.rounds[1].fixing, ["a1-1"]);
    assert.equal(rec.rounds[1].passed, true);
    const fixer = rec.agents.find((a: { role: string }) => a.role === "fixer");
    assert.equal(fixer.id, "r2-fix-t1", "the issue went to the executor owning t1.txt");
    assert.equal(
      readFileSync(join(rec.sessionPath, "FIXED.txt"), "utf8").trim(),
      "a1-1",
      "the fixer was given the issue id",
    );
  });

  it("ends failed with the full report after three rounds of FAIL", async () => {
    f.scenario = (req) => {
      if (!promptOf(req).includes("task for f3")) return undefined;
      if (role(req) === "planner") return { structured: { batches: [{ subtasks: [subtask("t1", "t1.txt")] }] } };
      if (role(req) === "reviewer") {
        return {
          structured: {
            verdict: "FAIL",
            summary: "still wrong",
            issues: [{ id: "x", severity: "medium", file: "t1.txt", description: "wrong content", fix: "rewrite" }],
          },
        };
      }
      return undefined;
    };
    const r = await f.run("f3", ["--architects", "1"]);
    assert.equal(r.code, 1, "a failed swarm exits non-zero");
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "failed");
    assert.equal(rec.rounds.length, 3);
    assert.ok(rec.rounds.every((x: { passed: boolean }) => x.passed === false));
    assert.match(rec.error, /after 3 rounds/);
    assert.match(rec.report, /round 3/);
    assert.match(rec.report, /a1-x \[medium\] t1\.txt: wrong content/);
    const ls = JSON.parse((await braid(f.sb, f.repo, ["ls", "--json"])).stdout);
    assert.ok(ls.worktrees.some((w: { session: string }) => w.session === "f3"));
  });

  it("asks the planner once more on an invalid plan, then falls back to a single executor", async () => {
    const plannerPrompts: string[] = [];
    f.scenario = (req) => {
      if (!promptOf(req).includes("task for fb")) return undefined;
      if (role(req) === "planner" && !afterTool(req)) {
        plannerPrompts.push(promptOf(req));
        // first: two subtasks of one batch own the same file; second: not JSON at all
        return new Set(plannerPrompts).size === 1
          ? { structured: { batches: [{ subtasks: [subtask("a", "same.txt"), subtask("b", "same.txt")] }] } }
          : { text: "I cannot plan this" };
      }
      return undefined;
    };
    const r = await f.run("fb", ["--architects", "1"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(new Set(plannerPrompts).size, 2, "asked exactly twice");
    assert.match(
      plannerPrompts[plannerPrompts.length - 1] ?? "",
      /both own same\.txt/,
      "the retry names what was wrong",
    );
    assert.deepEqual(
      rec.agents.filter((a: { role: string }) => a.role === "planner").map((a: { id: string }) => a.id),
      ["planner", "planner-retry"],
    );
    assert.equal(rec.plan.source, "fallback");
    assert.deepEqual(
      rec.plan.batches.map((b: { id: string }[]) => b.map((s) => s.id)),
      [["all"]],
    );
    assert.ok(existsSync(join(rec.sessionPath, "all.txt")), "the single executor did the whole task");
  });

  it("refuses bad input with one-line errors", async () => {
    for (const args of [
      ["swarm", "run", "z1", "task", "--executors", "0"],
      ["swarm", "run", "z1", "task", "--architects", "many"],
      ["swarm", "run", "z1", "   "],
      ["swarm", "nope"],
      ["start", "z2", "--mode", "swarm"],
    ]) {
      const r = await braid(f.sb, f.repo, args, { env: f.env });
      assert.ok(isOneLineError(r), `${args.join(" ")}: ${r.code} ${r.stderr}`);
    }
    const missing = await braid(f.sb, f.repo, ["swarm", "run", "z3", "task"], {
      env: { ...f.env, BRAID_CLAUDE_BIN: "/nonexistent/claude" },
    });
    assert.ok(isOneLineError(missing), missing.stderr);
    assert.match(missing.stderr, /not installed/);
    const ls = JSON.parse((await braid(f.sb, f.repo, ["ls", "--json"], { env: f.env })).stdout);
    assert.ok(!ls.worktrees.some((w: { session: string }) => w.session === "z3"), "nothing was created");
  });
});
