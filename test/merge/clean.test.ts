import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, commitIn, gitIn } from "../helpers/env.js";
import { repoWithSessions, setStatus, useSandboxEnv } from "./fixture.js";

describe("braid clean --merged / braid finish", () => {
  const sb = useSandboxEnv();

  it("removes squash-merged, merged and rebased sessions; keeps unintegrated, fresh and dirty ones", async () => {
    const { repo, wt } = await repoWithSessions(sb, "c1", ["squashed", "merged", "open", "fresh", "dirty"]);
    // squashed: two commits squash-merged by hand, then main edits the same file again (no same-tree shortcut)
    commitIn(sb, wt("squashed"), { "sq.txt": "one\n" });
    commitIn(sb, wt("squashed"), { "sq.txt": "one\ntwo\n" });
    gitIn(sb, repo, "merge", "--squash", "-q", "feature/squashed");
    gitIn(sb, repo, "commit", "-q", "-m", "squash of squashed");
    writeFileSync(join(repo, "sq.txt"), "one\ntwo\nthree on main\n");
    gitIn(sb, repo, "commit", "-q", "-am", "main moves on");
    commitIn(sb, wt("merged"), { "m.txt": "m\n" });
    gitIn(sb, repo, "merge", "-q", "--no-ff", "--no-edit", "feature/merged");
    commitIn(sb, wt("open"), { "o.txt": "o\n" });
    commitIn(sb, wt("dirty"), { "d.txt": "d\n" });
    gitIn(sb, repo, "merge", "-q", "--no-ff", "--no-edit", "feature/dirty");
    writeFileSync(join(wt("dirty"), "d.txt"), "uncommitted\n");

    const dry = await braid(sb, repo, ["clean", "--merged", "--dry-run", "--json"]);
    const dj = JSON.parse(dry.stdout);
    assert.deepEqual(dj.removed.map((s: { name: string }) => s.name).sort(), ["merged", "squashed"]);
    assert.ok(dj.reclaimedBytes > 0);
    assert.ok(existsSync(wt("squashed")), "dry run removes nothing");

    const r = await braid(sb, repo, ["clean", "--merged", "--json"]);
    assert.equal(r.code, 1, "a refused session makes the exit code non-zero");
    const j = JSON.parse(r.stdout);
    const how = Object.fromEntries(j.removed.map((s: { name: string; how: string }) => [s.name, s.how]));
    assert.deepEqual(how, { squashed: "patch-id", merged: "ancestor" });
    assert.ok(j.reclaimedBytes > 0);
    assert.ok(!existsSync(wt("squashed")) && !existsSync(wt("merged")));
    assert.equal(gitIn(sb, repo, "branch", "--list", "feature/squashed", "feature/merged"), "");
    // the squash-merged branch's commits stay reachable from a backup ref
    const sq = j.removed.find((s: { name: string }) => s.name === "squashed");
    assert.match(sq.backupRefs[0], /^refs\/braid\/backup\/squashed\//);
    assert.equal(gitIn(sb, repo, "show", `${sq.backupRefs[0]}:sq.txt`), "one\ntwo");

    assert.deepEqual(
      j.refused.map((s: { name: string }) => s.name),
      ["dirty"],
    );
    assert.match(j.refused[0].reason, /uncommitted/);
    assert.ok(existsSync(join(wt("dirty"), "d.txt")));
    const kept = Object.fromEntries(j.kept.map((s: { name: string; reason: string }) => [s.name, s.reason]));
    assert.match(kept.open, /not integrated/);
    assert.match(kept.fresh, /no commits yet/);
    assert.ok(existsSync(wt("open")) && existsSync(wt("fresh")));
    assert.equal(gitIn(sb, repo, "rev-parse", "--verify", "feature/open").length, 40);

    // --force: the uncommitted work goes to a backup ref first, then the session is removed
    const f = await braid(sb, repo, ["clean", "--merged", "--force", "--json"]);
    assert.equal(f.code, 0, f.stderr);
    const fj = JSON.parse(f.stdout);
    assert.deepEqual(
      fj.removed.map((s: { name: string }) => s.name),
      ["dirty"],
    );
    const backup = fj.removed[0].backupRefs[0];
    assert.match(backup, /^refs\/braid\/backup\/dirty\//);
    assert.equal(gitIn(sb, repo, "show", `${backup}:d.txt`), "uncommitted");
    assert.ok(!existsSync(wt("dirty")) && existsSync(wt("open")));
  });

  it("finish merges the done sessions, then cleans them up", async () => {
    const { repo, wt } = await repoWithSessions(sb, "c2", ["a", "b", "wip"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    commitIn(sb, wt("wip"), { "w.txt": "w\n" });
    await setStatus(repo, "a", "done");
    await setStatus(repo, "b", "idle");
    await setStatus(repo, "wip", "working");
    const r = await braid(sb, repo, ["finish", "--strategy", "rebase", "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.merge.merged.map((m: { name: string }) => m.name),
      ["a", "b"],
    );
    assert.deepEqual(j.clean.removed.map((s: { name: string }) => s.name).sort(), ["a", "b"]);
    assert.ok(existsSync(join(repo, "b.txt")));
    assert.ok(!existsSync(wt("a")) && existsSync(wt("wip")));
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.deepEqual(
      ls.worktrees.map((w: { session: string | null }) => w.session),
      [null, "wip"],
    );
  });

  it("removes finished research sessions that made no commits; refuses one with files unless --force", async () => {
    const { repo, wt } = await repoWithSessions(sb, "c3", ["asked", "scratch", "busy"], { type: "research" });
    await setStatus(repo, "asked", "done");
    await setStatus(repo, "scratch", "done");
    await setStatus(repo, "busy", "idle");
    writeFileSync(join(wt("scratch"), "findings.md"), "only copy\n");

    const r = await braid(sb, repo, ["clean", "--json"]);
    assert.equal(r.code, 1, "the refused session makes the exit code non-zero");
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.removed.map((s: { name: string; how: string }) => [s.name, s.how]),
      [["asked", "no-commits"]],
    );
    assert.ok(!existsSync(wt("asked")), "the finished research worktree is gone");
    assert.equal(gitIn(sb, repo, "branch", "--list", "feature/asked"), "");
    assert.deepEqual(
      j.refused.map((s: { name: string }) => s.name),
      ["scratch"],
    );
    assert.match(j.refused[0].reason, /1 uncommitted change.*--force/);
    assert.ok(existsSync(join(wt("scratch"), "findings.md")), "nothing lost without --force");
    const kept = Object.fromEntries(j.kept.map((s: { name: string; reason: string }) => [s.name, s.reason]));
    assert.match(kept.busy, /still idle/);

    const f = await braid(sb, repo, ["clean", "--force", "--json"]);
    assert.equal(f.code, 0, f.stderr);
    const fj = JSON.parse(f.stdout);
    assert.deepEqual(
      fj.removed.map((s: { name: string }) => s.name),
      ["scratch"],
    );
    assert.equal(gitIn(sb, repo, "show", `${fj.removed[0].backupRefs[0]}:findings.md`), "only copy");
    assert.ok(existsSync(wt("busy")));
  });
});
