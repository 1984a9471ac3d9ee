/**
 * Swarm mode end to end: the real `claude -p` for planner, executors and reviewers, talking to a
 * scripted model. Each scenario is one `braid swarm run` in its own session.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import {
  barrier,
  claudeStubEnv,
  type ModelRequest,
  maxOverlap,
  type Reply,
  type ScriptedModel,
  startModel,
} from "./scripted-model.js";

type Scenario = (req: ModelRequest) => Reply | undefined;

const role = (r: { prompt: string }) =>
  /^\[braid swarm (planner|executor|reviewer|fixer)/.exec(r.prompt)?.[1] ?? "other";
const executorId = (r: { prompt: string }) => /^\[braid swarm executor ([\w-]+)\]/.exec(r.prompt)?.[1] ?? "";

const subtask = (id: string, file: string, depends_on: string[] = []) => ({
  id,
  title: `write ${file}`,
  instructions: `create ${file}`,
  owns: [file],
  depends_on,
});
const PASS = { structured: { verdict: "PASS", summary: "fine", issues: [] } };

/** Executors write `<id>.txt` (their own file); fixers write FIXED.txt listing the issue ids they saw. */
function defaultReply(req: ModelRequest): Reply {
  const r = role(req);
  if (req.afterTool) return { text: "done" };
  if (r === "executor") {
    const id = executorId(req);
    return { tool: "Write", input: { file_path: join(req.cwd, `${id}.txt`), content: `work of ${id}\n` } };
  }
  if (r === "fixer") {
    const ids = [...req.prompt.matchAll(/^- (a\d+-[\w.-]+)/gm)].map((m) => m[1]).join(",");
    return { tool: "Write", input: { file_path: join(req.cwd, "FIXED.txt"), content: `${ids}\n` } };
  }
  if (r === "reviewer") return PASS;
  return { text: "?" };
}

describe("braid swarm (real claude -p against a scripted model)", () => {
  let sb: Sandbox;
  let repo: string;
  let model: ScriptedModel;
  let scenario: Scenario = () => undefined;
  let env: NodeJS.ProcessEnv;
  const executorsMeet = barrier(3, 20_000);

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    model = await startModel((req) => scenario(req) ?? defaultReply(req), {
      // Hold executors' first requests until 3 are in flight: parallel executors then overlap observably.
      hold: (req) => (role(req) === "executor" && !req.afterTool ? executorsMeet() : undefined),
    });
    env = claudeStubEnv(sb, model);
  });
  after(async () => {
    await model.close();
    sb.cleanup();
  });

  const run = (name: string, args: string[] = []) =>
    braid(sb, repo, ["swarm", "run", name, `task for ${name}`, "--json", ...args], { env, timeoutMs: 120_000 });

  it("runs 3 independent subtasks as 3 concurrent executors, merges them, and passes on 3 PASS verdicts", async () => {
    scenario = (req) =>
      role(req) === "planner" && req.prompt.includes("task for s3")
        ? {
            structured: {
              batches: [{ subtasks: [subtask("t1", "t1.txt"), subtask("t2", "t2.txt"), subtask("t3", "t3.txt")] }],
            },
          }
        : undefined;
    const from = model.log.length;
    const r = await run("s3");
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "done");
    assert.equal(rec.plan.source, "planner");
    const mine = model.log.slice(from);
    assert.equal(
      maxOverlap(mine, (q) => role(q) === "executor" && !q.afterTool),
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
    const session = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout).worktrees.find(
      (w: { session: string }) => w.session === "s3",
    );
    for (const f of ["t1.txt", "t2.txt", "t3.txt"]) assert.ok(existsSync(join(session.path, f)), `${f} merged`);
    assert.equal(gitIn(sb, session.path, "status", "--porcelain"), "", "session worktree is clean");
    assert.ok(!existsSync(`${session.path}.swarm/r1-t1`), "sub-worktrees are removed after integration");
    assert.match(gitIn(sb, repo, "branch", "--list", "braid-swarm/s3/*"), /r1-t1/, "executor branches are kept");
    const shown = await braid(sb, repo, ["swarm", "s3", "--json"]);
    assert.deepEqual(JSON.parse(shown.stdout).rounds, rec.rounds, "braid swarm NAME --json shows the same record");
    const text = await braid(sb, repo, ["swarm", "s3"]);
    assert.match(text.stdout, /swarm done/);
    assert.match(text.stdout, /r1-review-a2/);
  });

  it("runs a 2-batch plan in order: batch 2 starts after batch 1 is merged and sees its files", async () => {
    let batch2SawBatch1: boolean | null = null;
    scenario = (req) => {
      if (role(req) === "planner" && req.prompt.includes("task for b2")) {
        return {
          structured: {
            batches: [
              { subtasks: [subtask("types", "types.txt")] },
              { subtasks: [subtask("impl", "impl.txt", ["types"])] },
            ],
          },
        };
      }
      if (executorId(req) === "impl" && !req.afterTool) batch2SawBatch1 = existsSync(join(req.cwd, "types.txt"));
      return undefined;
    };
    const from = model.log.length;
    const r = await run("b2", ["--architects", "1"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const mine = model.log.slice(from);
    const types = mine.filter((q) => executorId(q) === "types");
    const impl = mine.filter((q) => executorId(q) === "impl");
    assert.ok(types.length && impl.length);
    assert.ok(Math.max(...types.map((q) => q.end)) <= Math.min(...impl.map((q) => q.start)), "batch 1 finished first");
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

  it("sends one reviewer's FAIL issues back to the owning executor and passes in round 2", async () => {
    scenario = (req) => {
      if (!req.prompt.includes("task for f1")) return undefined;
      if (role(req) === "planner") return { structured: { batches: [{ subtasks: [subtask("t1", "t1.txt")] }] } };
      if (role(req) === "reviewer" && !req.afterTool) {
        const fixed = req.prompt.includes("FIXED.txt");
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
    const r = await run("f1", ["--architects", "1"]);
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
    scenario = (req) => {
      if (!req.prompt.includes("task for f3")) return undefined;
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
    const r = await run("f3", ["--architects", "1"]);
    assert.equal(r.code, 1, "a failed swarm exits non-zero");
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "failed");
    assert.equal(rec.rounds.length, 3);
    assert.ok(rec.rounds.every((x: { passed: boolean }) => x.passed === false));
    assert.match(rec.error, /after 3 rounds/);
    assert.match(rec.report, /round 3/);
    assert.match(rec.report, /a1-x \[medium\] t1\.txt: wrong content/);
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.ok(ls.worktrees.some((w: { session: string }) => w.session === "f3"));
  });

  it("asks the planner once more on an invalid plan, then falls back to a single executor", async () => {
    const plannerPrompts: string[] = [];
    scenario = (req) => {
      if (!req.prompt.includes("task for fb")) return undefined;
      if (role(req) === "planner" && !req.afterTool) {
        plannerPrompts.push(req.prompt);
        // first: two subtasks of one batch own the same file; second: not JSON at all
        return plannerPrompts.length === 1
          ? { structured: { batches: [{ subtasks: [subtask("a", "same.txt"), subtask("b", "same.txt")] }] } }
          : { text: "I cannot plan this" };
      }
      return undefined;
    };
    const r = await run("fb", ["--architects", "1"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(plannerPrompts.length, 2, "asked exactly twice");
    assert.match(plannerPrompts[1] ?? "", /both own same\.txt/, "the retry names what was wrong");
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
    ]) {
      const r = await braid(sb, repo, args, { env });
      assert.ok(isOneLineError(r), `${args.join(" ")}: ${r.code} ${r.stderr}`);
    }
  });
});
