// The repository object (src/git/repo.ts) against real git: each named operation does what its name says,
// and the compare-and-swap ones refuse a ref that moved.
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Repo } from "../../src/git/repo.js";
import { commitIn, gitIn, makeRepo, makeSandbox, makeWorktreeAddGhost } from "../helpers/env.js";

describe("Repo", () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());
  const dir = makeRepo(sb);
  gitIn(sb, dir, "branch", "-M", "main");
  const repo = new Repo(dir, sb.env);

  it("revisions: resolve, tree, ancestry, counts", async () => {
    const base = await repo.head();
    assert.equal(await repo.resolveCommit("main"), base);
    assert.equal(await repo.resolveCommit("no-such-ref"), null);
    gitIn(sb, dir, "checkout", "-q", "-b", "topic");
    const tip = commitIn(sb, dir, { "a.txt": "a\n" }, "add a");
    assert.equal(await repo.isAncestor(base, tip), true);
    assert.equal(await repo.isAncestor(tip, base), false);
    assert.equal(await repo.countCommits(tip, [base]), 1);
    assert.deepEqual(await repo.aheadBehind("main", "topic"), { ahead: 1, behind: 0 });
    assert.deepEqual(await repo.aheadBehind("topic", "main"), { ahead: 0, behind: 1 });
    assert.equal(await repo.aheadBehind("main", "no-such-ref"), null);
    assert.equal(await repo.treeOf(tip), gitIn(sb, dir, "rev-parse", `${tip}^{tree}`));
    assert.equal(await repo.mergeBase("main", "topic"), base);
    assert.deepEqual(await repo.changedFiles(base), ["a.txt"]);
    const log = await repo.onelineLog(`${base}..HEAD`);
    assert.equal(log?.length, 1);
    assert.match(log?.[0] ?? "", / add a$/);
    gitIn(sb, dir, "checkout", "-q", "main");
  });

  it("refs: set, list under a prefix, delete only at the expected commit (one or all)", async () => {
    const main = await repo.head();
    const topic = (await repo.resolveCommit("topic")) as string;
    await repo.setRef("refs/heads/x/one", main);
    await repo.setRef("refs/heads/x/two", topic);
    const under = await repo.refsUnder("refs/heads/x/");
    assert.deepEqual(under.map((r) => r.ref).sort(), ["refs/heads/x/one", "refs/heads/x/two"]);
    assert.equal(await repo.deleteRefAt("refs/heads/x/one", topic), false, "moved since: kept");
    assert.equal(await repo.resolveCommit("x/one"), main);
    const wrong = under.map((r) => ({ ...r, tip: r.ref.endsWith("one") ? topic : r.tip }));
    assert.equal(await repo.deleteRefsAt(wrong), false, "one stale entry fails the whole transaction");
    assert.equal((await repo.refsUnder("refs/heads/x/")).length, 2);
    assert.equal(await repo.deleteRefsAt(under), true);
    assert.deepEqual(await repo.refsUnder("refs/heads/x/"), []);
  });

  it("working tree: dirty, counted, committed", async () => {
    assert.equal(await repo.isDirty(), false);
    writeFileSync(join(dir, "new.txt"), "n\n");
    writeFileSync(join(dir, "README.md"), "# changed\n");
    assert.equal(await repo.isDirty(), true);
    assert.equal(await repo.uncommittedCount(), 2);
    assert.equal(await repo.commitAll("both"), true);
    assert.equal(await repo.commitAll("nothing"), false, "nothing left to commit");
    assert.equal(await repo.isDirty(), false);
  });

  it("merges: a conflict is reported with its files and aborted cleanly", async () => {
    gitIn(sb, dir, "checkout", "-q", "-b", "left");
    commitIn(sb, dir, { "c.txt": "left\n" }, "left");
    gitIn(sb, dir, "checkout", "-q", "main");
    commitIn(sb, dir, { "c.txt": "main\n" }, "main side");
    const before = await repo.head();
    const r = await repo.mergeNoFf("left", "merge left");
    assert.equal(r.ok, false);
    assert.deepEqual(await repo.conflictedFiles(), ["c.txt"]);
    await repo.abortMerge();
    assert.equal(await repo.head(), before);
    assert.equal(await repo.isDirty(), false);
  });

  it("worktrees: add, list, remove, prune; config per worktree", async () => {
    const wt = join(sb.root, "wt-one");
    await repo.addWorktree(wt, "wt-branch", "main");
    assert.ok((await repo.worktrees()).some((w) => w.path === wt && w.branch === "wt-branch"));
    const inWt = new Repo(wt, sb.env);
    await repo.setConfig("extensions.worktreeConfig", "true");
    await inWt.setConfig("core.hooksPath", "/nowhere", { worktree: true });
    assert.equal(await inWt.getConfig("core.hooksPath"), "/nowhere");
    assert.equal(await repo.getConfig("core.hooksPath"), null, "only that worktree's config");
    await inWt.unsetWorktreeConfig("core.hooksPath");
    await inWt.unsetWorktreeConfig("core.hooksPath"); // unset twice: nothing happens
    assert.equal(await inWt.getConfig("core.hooksPath"), null);
    writeFileSync(join(wt, "dirty.txt"), "x\n");
    assert.equal(await repo.removeWorktree(wt), true, "removed changes and all");
    await repo.pruneWorktrees();
    assert.ok(!(await repo.worktrees()).some((w) => w.path === wt));
    assert.equal(await repo.removeWorktree(wt), false, "git refuses a worktree it does not know");
  });

  it("a detached add waits out another add that is half written (git 2.39's commondir race), a few times only", async () => {
    let ghost = makeWorktreeAddGhost(sb, dir);
    const wt = join(sb.root, "wt-detached");
    const adding = repo.addDetachedWorktree(wt, "main");
    await sleep(30); // the first try has met the ghost by now (it fails at once); later ones find it gone
    rmSync(ghost, { recursive: true, force: true });
    await adding;
    assert.ok(existsSync(join(wt, "README.md")));
    assert.equal(await new Repo(wt, sb.env).head(), await repo.head());
    assert.equal(await repo.removeWorktree(wt), true);

    ghost = makeWorktreeAddGhost(sb, dir); // it never finishes: the add gives up with git's own message
    await assert.rejects(repo.addDetachedWorktree(join(sb.root, "wt-never"), "main"), /commondir/);
    assert.equal(existsSync(join(sb.root, "wt-never")), false, "nothing left behind");
    rmSync(ghost, { recursive: true, force: true });
  });
});
