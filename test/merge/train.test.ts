import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadContext } from "../../src/project/context.js";
import { createWorktree } from "../../src/worktree/create.js";
import { braid, commitIn, gitIn, isOneLineError } from "../helpers/env.js";
import { repoWithSessions, setStatus, useSandboxEnv } from "./fixture.js";

describe("braid merge (merge train)", () => {
  const sb = useSandboxEnv();

  it("merges three sessions in cascade order, verifying each step, and fast-forwards the clean checkout", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t1", ["a", "b", "c"]);
    commitIn(sb, wt("c"), { "c.txt": "c\n" });
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    for (const n of ["a", "b", "c"]) await setStatus(repo, n, "done");
    const old = gitIn(sb, repo, "rev-parse", "main");
    // verify sees each step's result: it records which files exist
    const r = await braid(sb, repo, [
      "merge",
      "--json",
      "--verify",
      `ls *.txt | tr '\\n' ' ' >> ${join(sb.root, "t1.log")}; echo >> ${join(sb.root, "t1.log")}`,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout);
    assert.equal(j.moved, true);
    assert.deepEqual(
      j.merged.map((m: { name: string }) => m.name),
      ["a", "b", "c"],
    );
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), j.newBase);
    assert.equal(gitIn(sb, repo, "rev-parse", "main^1~2"), old, "three merge commits on top of the old base");
    assert.deepEqual(gitIn(sb, repo, "log", "--format=%s", "-3", "--first-parent", "main").split("\n"), [
      "braid: merge c (feature/c)",
      "braid: merge b (feature/b)",
      "braid: merge a (feature/a)",
    ]);
    assert.deepEqual(
      readFileSync(join(sb.root, "t1.log"), "utf8")
        .trim()
        .split("\n")
        .map((l) => l.trim()),
      ["a.txt shared.txt", "a.txt b.txt shared.txt", "a.txt b.txt c.txt shared.txt"],
    );
    // the user's checkout of main was clean: brought up to date, still clean
    assert.ok(existsSync(join(repo, "c.txt")));
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    assert.equal(j.checkouts[0].updated, true);
    assert.equal(j.integrationWorktree, null);
    const list = gitIn(sb, repo, "worktree", "list").split("\n");
    assert.equal(list.length, 5, "the integration worktree is kept warm for the next train");
    assert.equal(list.filter((l) => l.includes("wt-integration") && l.includes("(detached HEAD)")).length, 1);
  });

  it("stops at an injected conflict: --atomic leaves the base untouched; by default the verified prefix lands", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t2", ["a", "b", "c"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "shared.txt": "b's version\n" });
    commitIn(sb, wt("c"), { "shared.txt": "c's version\n" });
    const old = gitIn(sb, repo, "rev-parse", "main");
    const r = await braid(sb, repo, ["merge", "a", "b", "c", "--atomic"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /passed \(not applied\) a/);
    assert.match(r.stdout, /passed \(not applied\) b/);
    assert.match(r.stdout, /stopped at c: conflict in shared\.txt/);
    assert.match(r.stdout, /main was not changed/);
    assert.match(r.stdout, /next: braid merge --resolve .*resolve shared\.txt/);
    const kept = /integration worktree kept for inspection: (\S+)/.exec(r.stdout)?.[1] as string;
    assert.ok(existsSync(kept));
    assert.match(readFileSync(join(kept, "shared.txt"), "utf8"), /<<<<<<</);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");

    // Without --atomic: a and b land, c is left with the next step; the kept worktree is cleaned up first
    // (backed up: it holds conflict state).
    const r2 = await braid(sb, repo, ["merge", "a", "b", "c", "--json"]);
    assert.equal(r2.code, 1, r2.stderr);
    const j = JSON.parse(r2.stdout);
    assert.ok(
      j.recovered.some((n: { action: string; path: string }) => n.action === "removed-kept" && n.path === kept),
    );
    const backup = j.recovered.find(
      (n: { action: string; path: string }) => n.action === "backed-up-kept" && n.path === kept,
    )?.detail as string;
    assert.match(backup, /^refs\/braid\/backup\/integration\//);
    assert.match(gitIn(sb, repo, "show", `${backup}:shared.txt`), /<<<<<<</);
    assert.equal(j.moved, true);
    assert.deepEqual(
      j.merged.map((m: { name: string }) => m.name),
      ["a", "b"],
    );
    assert.equal(j.stoppedAt.name, "c");
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), j.newBase);
    assert.equal(gitIn(sb, repo, "merge-base", "--is-ancestor", "feature/b", "main"), "");
    // the main checkout followed: b's file is there, nothing shows as changed
    assert.equal(readFileSync(join(repo, "shared.txt"), "utf8"), "b's version\n");
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    assert.equal(j.notMerged.find((n: { name: string }) => n.name === "c")?.reason, "conflict");
  });

  it("refuses uncommitted work, research sessions, a branch deleted by hand and a detached HEAD (one line each)", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t3", ["dirty", "gone", "detached"]);
    const old = gitIn(sb, repo, "rev-parse", "main");
    commitIn(sb, wt("dirty"), { "d.txt": "d\n" });
    writeFileSync(join(wt("dirty"), "d.txt"), "uncommitted\n");
    let r = await braid(sb, repo, ["merge", "dirty"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /uncommitted work.*braid send dirty/);

    commitIn(sb, wt("gone"), { "g.txt": "g\n" });
    gitIn(sb, wt("gone"), "checkout", "-q", "--detach");
    gitIn(sb, repo, "branch", "-D", "feature/gone");
    r = await braid(sb, repo, ["merge", "gone"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /feature\/gone no longer exists/);

    commitIn(sb, wt("detached"), { "x.txt": "x\n" });
    gitIn(sb, wt("detached"), "checkout", "-q", "--detach");
    r = await braid(sb, repo, ["merge", "detached"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /detached HEAD/);

    const { repo: repo2 } = await repoWithSessions(sb, "t3r", ["notes"], { type: "research" });
    r = await braid(sb, repo2, ["merge", "notes"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /research session: it has nothing to merge/);

    r = await braid(sb, repo, ["merge", "nope"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /no session named "nope"/);

    r = await braid(sb, repo, ["merge", "--strategy", "octopus", "dirty"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /unknown merge strategy "octopus"/);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old, "nothing was merged by any refused run");
  });

  it("a verify command that does not exist stops the train and leaves the base alone", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t4", ["a"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    const old = gitIn(sb, repo, "rev-parse", "main");
    const r = await braid(sb, repo, ["merge", "a", "--verify", "no-such-command-braid-test --flag", "--json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.stoppedAt.reason, "verify-not-found");
    assert.match(j.stoppedAt.output, /verify command not found: no-such-command-braid-test/);
    assert.equal(j.moved, false);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
  });

  it("detects the base moved by the user during the train and changes nothing", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t5", ["a"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    // the verify step plays the user: it commits on main while the train runs
    const userCommit = `git -C ${repo} commit -q --allow-empty -m user-commit`;
    const r = await braid(sb, repo, ["merge", "a", "--verify", userCommit, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.stoppedAt.reason, "base-moved");
    assert.equal(j.moved, false);
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", "main"), "user-commit");
    assert.equal(gitIn(sb, repo, "log", "--format=%s", "main").includes("braid: merge"), false);
  });

  it("a dirty checkout of the base follows, keeping the user's edits (index agrees with HEAD); --dry-run moves nothing", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t6", ["a"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    const old = gitIn(sb, repo, "rev-parse", "main");
    let r = await braid(sb, repo, ["merge", "a", "--dry-run", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).merged[0].name, "a");
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);

    writeFileSync(join(repo, "README.md"), "local edit\n");
    writeFileSync(join(repo, "shared.txt"), "staged edit\n");
    gitIn(sb, repo, "add", "shared.txt");
    r = await braid(sb, repo, ["merge", "a"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /checkout .*t6: updated, your 2 uncommitted changes kept/);
    assert.notEqual(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(readFileSync(join(repo, "README.md"), "utf8"), "local edit\n");
    assert.equal(readFileSync(join(repo, "a.txt"), "utf8"), "a\n");
    // git sees exactly the user's two edits: the merged a.txt is neither deleted nor staged
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), " M README.md\nM  shared.txt");
    assert.equal(gitIn(sb, repo, "diff", "--cached", "--name-only"), "shared.txt");
    // an ordinary commit -am now keeps the merged work
    gitIn(sb, repo, "commit", "-qam", "user's own commit");
    assert.equal(gitIn(sb, repo, "show", "HEAD:a.txt"), "a");
  });

  it("a checkout of the base whose edits the merge would overwrite: the base stays, the user is told the fix", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t6b", ["a", "b"]);
    commitIn(sb, wt("a"), { "shared.txt": "a's version\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    const old = gitIn(sb, repo, "rev-parse", "main");
    writeFileSync(join(repo, "shared.txt"), "the user's version\n");
    let r = await braid(sb, repo, ["merge", "a"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /main not moved.*t6b has uncommitted changes to shared\.txt that the merge changes too/);
    assert.match(r.stdout, /next: commit or stash your changes in .*t6b \(git stash\), run braid merge again/);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(readFileSync(join(repo, "shared.txt"), "utf8"), "the user's version\n");
    assert.equal(gitIn(sb, repo, "diff", "--cached", "--name-only"), "", "the index still agrees with HEAD");

    // an untracked file where the merge puts one: git would refuse as well
    gitIn(sb, repo, "checkout", "--", "shared.txt");
    writeFileSync(join(repo, "b.txt"), "mine\n");
    r = await braid(sb, repo, ["merge", "b", "--json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.moved, false);
    assert.match(j.checkoutBlocked.error, /untracked working tree file 'b\.txt' would be overwritten/i);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(readFileSync(join(repo, "b.txt"), "utf8"), "mine\n");
  });

  it("squash and rebase strategies make linear history", async () => {
    const { repo, wt } = await repoWithSessions(sb, "t7", ["s", "r"]);
    // a research session has no branch to update: it is not told to merge
    await createWorktree(await loadContext(repo), { name: "look", type: "research" });
    commitIn(sb, wt("s"), { "s1.txt": "1\n" });
    commitIn(sb, wt("s"), { "s2.txt": "2\n" });
    let r = await braid(sb, repo, ["merge", "s", "--strategy", "squash"]);
    assert.match(r.stdout, /^told r to rebase or merge main$/m);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s %P", "main").split(" ").length, 5, "one parent");
    // the other live session (r) is told the base moved
    const notes = await braid(sb, repo, ["notes", "--json"]);
    assert.equal(notes.code, 0, notes.stderr);
    assert.match(notes.stdout, /merged s into main; rebase or merge main/);
    commitIn(sb, wt("r"), { "r1.txt": "1\n" });
    commitIn(sb, wt("r"), { "r2.txt": "2\n" });
    r = await braid(sb, repo, ["merge", "r", "--strategy", "rebase"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gitIn(sb, repo, "rev-list", "--merges", "--count", "main"), "0");
    assert.ok(existsSync(join(repo, "r2.txt")));
  });
});
