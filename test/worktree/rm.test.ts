import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { snapshotWorktree } from "../../src/git/snapshot.js";
import { braid, commitIn, gitIn, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid rm", () => {
  const { sb, repo } = useRepo();
  const newSession = async (name: string): Promise<string> => {
    const r = await braid(sb, repo, ["new", name, "--json", "--no-bootstrap"]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).path as string;
  };
  const hasBranch = (b: string) => gitIn(sb, repo, "branch", "--list", b) !== "";

  it("removes a clean session with no new commits, deletes its branch, reports JSON", async () => {
    const p = await newSession("clean1");
    const r = await braid(sb, repo, ["rm", "clean1", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.removed, true);
    assert.equal(out.branchDeleted, true);
    assert.equal(out.backupRef, null);
    assert.equal(typeof out.reclaimedBytes, "number");
    assert.ok(!existsSync(p));
    assert.ok(!hasBranch("feature/clean1"));
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.equal(ls.worktrees.length, 1);
  });

  it("refuses uncommitted work; --force saves it (incl. untracked) to a backup ref first", async () => {
    const p = await newSession("dirty1");
    writeFileSync(join(p, "README.md"), "changed\n");
    writeFileSync(join(p, "new.txt"), "untracked\n");
    const r = await braid(sb, repo, ["rm", "dirty1"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /2 uncommitted changes.*--force/);
    assert.ok(existsSync(join(p, "new.txt")), "nothing removed on refusal");
    const f = await braid(sb, repo, ["rm", "dirty1", "--force", "--json"]);
    assert.equal(f.code, 0, f.stderr);
    const out = JSON.parse(f.stdout);
    assert.match(out.backupRef, /^refs\/braid\/backup\/dirty1\/\d{8}T\d{9}Z$/);
    assert.equal(gitIn(sb, repo, "show", `${out.backupRef}:new.txt`), "untracked");
    assert.equal(gitIn(sb, repo, "show", `${out.backupRef}:README.md`), "changed");
    assert.ok(!existsSync(p));
    assert.ok(!hasBranch("feature/dirty1"));
  });

  it("refuses unmerged commits; --keep-branch removes the worktree and keeps them", async () => {
    const p = await newSession("ahead1");
    const tip = commitIn(sb, p, { "a.txt": "a\n" }, "a");
    const r = await braid(sb, repo, ["rm", "ahead1"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /1 commit on feature\/ahead1 not merged into main/);
    const k = await braid(sb, repo, ["rm", "ahead1", "--keep-branch", "--json"]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(JSON.parse(k.stdout).branchDeleted, false);
    assert.equal(gitIn(sb, repo, "rev-parse", "feature/ahead1"), tip);
    assert.ok(!existsSync(p));
  });

  it("never deletes an unmerged branch without a backup ref holding its commits", async () => {
    const p = await newSession("ahead2");
    const tip = commitIn(sb, p, { "b.txt": "b\n" }, "b");
    const f = await braid(sb, repo, ["rm", "ahead2", "--force"]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /saved work to refs\/braid\/backup\/ahead2\/.*restore with: git branch/);
    const ref = gitIn(sb, repo, "for-each-ref", "--format=%(refname)", "refs/braid/backup/ahead2");
    assert.equal(gitIn(sb, repo, "rev-parse", ref), tip);
    assert.ok(!hasBranch("feature/ahead2"));
  });

  it("removes a session whose branch was merged into the base, without --force", async () => {
    const p = await newSession("merged1");
    commitIn(sb, p, { "m.txt": "m\n" }, "m");
    gitIn(sb, repo, "merge", "-q", "--no-ff", "-m", "merge", "feature/merged1");
    const r = await braid(sb, repo, ["rm", "merged1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!hasBranch("feature/merged1"));
  });

  it("works when the worktree directory vanished", async () => {
    const p = await newSession("gone1");
    rmSync(p, { recursive: true, force: true });
    const r = await braid(sb, repo, ["rm", "gone1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!gitIn(sb, repo, "worktree", "list").includes("app-gone1"));
    assert.ok(!hasBranch("feature/gone1"));
  });

  it("refuses an unknown session name with one line", async () => {
    const r = await braid(sb, repo, ["rm", "nope"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /no session named "nope"/);
  });

  it("snapshots without touching the worktree's real index", async () => {
    const p = await newSession("snap1");
    writeFileSync(join(p, "staged.txt"), "s\n");
    gitIn(sb, p, "add", "staged.txt");
    writeFileSync(join(p, "loose.txt"), "l\n");
    const indexPath = gitIn(sb, p, "rev-parse", "--path-format=absolute", "--git-path", "index");
    const before = readFileSync(indexPath);
    const status = gitIn(sb, p, "status", "--porcelain");
    const commit = await snapshotWorktree(p, "snap");
    assert.deepEqual(readFileSync(indexPath), before);
    assert.equal(gitIn(sb, p, "status", "--porcelain"), status);
    assert.equal(gitIn(sb, p, "rev-parse", `${commit}^`), gitIn(sb, p, "rev-parse", "HEAD"));
    assert.equal(gitIn(sb, p, "show", `${commit}:loose.txt`), "l");
  });
});
