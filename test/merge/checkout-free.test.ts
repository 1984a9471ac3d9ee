// The train without verify merges without a checkout (merge-tree + commit-tree). It must make the same merge
// commits (tree, parents, message) and stop at the same conflicts as the integration-worktree path, which a
// verify command forces: both paths run on the same sessions from the same base, the base put back between.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { integrationPath, mergeDir } from "../../src/merge/integration.js";
import { runTrain, type TrainOptions, type TrainReport } from "../../src/merge/train.js";
import { loadContext } from "../../src/project/context.js";
import { commitIn, gitIn } from "../helpers/env.js";
import { repoWithSessions, useSandboxEnv } from "./fixture.js";

/**
 * Each first-parent commit from `to` back to `from` as "tree, other parents, message", after checking that its
 * first parent is the next one in the chain (commit ids differ between runs only by their timestamps).
 */
function commitsBetween(sb: ReturnType<typeof useSandboxEnv>, repo: string, from: string, to: string): string[] {
  const out = gitIn(sb, repo, "log", "--first-parent", "--format=%H %T %P%n%B%x00", `${from}..${to}`);
  const commits = out
    .split("\0")
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const [ids = "", ...message] = c.split("\n");
      const [id, tree, first, ...others] = ids.split(" ");
      return { id, first, described: [tree, ...others, "|", ...message].join(" ") };
    });
  for (const [i, c] of commits.entries()) assert.equal(c.first, commits[i + 1]?.id ?? from, "a chain on the old base");
  return commits.map((c) => c.described);
}

describe("merge train without a checkout", () => {
  const sb = useSandboxEnv();

  /** Run the train both ways from the same base; returns both reports and both commit lists. */
  async function bothWays(repo: string, opts: TrainOptions) {
    const ctx = await loadContext(repo);
    const old = gitIn(sb, repo, "rev-parse", "main");
    const runs: Array<{ report: TrainReport; commits: string[] }> = [];
    for (const verify of ["true", undefined]) {
      const report = await runTrain(await loadContext(repo), { ...opts, ...(verify ? { verify } : {}) });
      runs.push({ report, commits: commitsBetween(sb, repo, old, report.newBase) });
      // Put the base and the user's checkout back for the other path.
      gitIn(sb, repo, "reset", "--quiet", "--hard", old);
      // (and the integration worktree a train with verify keeps warm: the other path must start without one)
      const kept = integrationPath(ctx);
      for (const p of new Set([report.integrationWorktree, kept]))
        if (p && existsSync(p)) gitIn(sb, repo, "worktree", "remove", "--force", "--force", p);
    }
    assert.equal(ctx.config.verify ?? "", "", "the fixture has no verify of its own");
    return runs as [(typeof runs)[0], (typeof runs)[0]];
  }

  it("clean steps: the same merge commits, no integration worktree made", async () => {
    const { repo, wt } = await repoWithSessions(sb, "cf1", ["a", "b", "c", "d"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "shared.txt": `top\n${"line 1\n"}` }, "b edits shared");
    commitIn(sb, wt("c"), { "c/deep.txt": "c\n" });
    gitIn(sb, wt("c"), "mv", "README.md", "READ.md");
    gitIn(sb, wt("c"), "commit", "-q", "-m", "c renames");
    // a merged d's branch: d's own step finds nothing new (an empty step either way)
    commitIn(sb, wt("d"), { "d.txt": "d\n" });
    gitIn(sb, wt("a"), "merge", "-q", "--no-edit", "feature/d");
    const names = ["a", "b", "c", "d"];
    const [withCheckout, without] = await bothWays(repo, { names });
    assert.deepEqual(
      without.report.merged.map((m) => [m.name, m.empty]),
      withCheckout.report.merged.map((m) => [m.name, m.empty]),
    );
    assert.equal(without.report.merged.find((m) => m.name === "d")?.empty, true);
    assert.equal(without.commits.length, 3);
    assert.deepEqual(without.commits, withCheckout.commits);
    assert.match(without.commits[0] as string, /braid: merge c \(feature\/c\)$/);
    assert.equal(without.report.moved, true);
    assert.equal(without.report.integrationWorktree, null);
    assert.equal(without.report.checkouts[0]?.updated, true, "the clean checkout of main followed");
    const dir = mergeDir(await loadContext(repo));
    assert.deepEqual(
      readdirSync(dir).filter((e) => e.startsWith("wt-")),
      [],
    );
  });

  it("squash: the same commits (one parent, same tree)", async () => {
    const { repo, wt } = await repoWithSessions(sb, "cf2", ["a", "b"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("a"), { "a2.txt": "a2\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    const [withCheckout, without] = await bothWays(repo, { names: ["a", "b"], strategy: "squash" });
    assert.equal(without.commits.length, 2);
    assert.deepEqual(without.commits, withCheckout.commits);
  });

  it("a conflict: the same stop, files and kept worktree in conflict state; the clean prefix lands", async () => {
    const { repo, wt } = await repoWithSessions(sb, "cf3", ["a", "b", "c"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "shared.txt": "b's version\n", "x.txt": "b\n" });
    commitIn(sb, wt("c"), { "shared.txt": "c's version\n", "x.txt": "c\n" });
    const [withCheckout, without] = await bothWays(repo, { names: ["a", "b", "c"] });
    assert.deepEqual(without.report.stoppedAt, withCheckout.report.stoppedAt);
    assert.deepEqual(without.report.stoppedAt?.conflictFiles, ["shared.txt", "x.txt"]);
    assert.deepEqual(without.report.notMerged, withCheckout.report.notMerged);
    assert.deepEqual(without.commits, withCheckout.commits);
    assert.equal(without.commits.length, 2, "a and b landed");
    assert.ok(without.report.integrationWorktree, "kept for inspection");
  });

  it("keeps the kept worktree's conflict state for the user to resolve", async () => {
    const { repo, wt } = await repoWithSessions(sb, "cf4", ["a", "b"]);
    commitIn(sb, wt("a"), { "shared.txt": "a's version\n" });
    commitIn(sb, wt("b"), { "shared.txt": "b's version\n" });
    const report = await runTrain(await loadContext(repo), { names: ["a", "b"], atomic: true });
    assert.equal(report.stoppedAt?.name, "b");
    assert.equal(report.moved, false);
    const kept = report.integrationWorktree as string;
    assert.equal(gitIn(sb, kept, "diff", "--name-only", "--diff-filter=U"), "shared.txt");
    assert.equal(gitIn(sb, kept, "rev-parse", "HEAD^2"), gitIn(sb, repo, "rev-parse", "feature/a"));
  });
});
