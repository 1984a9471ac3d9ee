import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { snapshotWorktree } from "../../src/git/snapshot.js";
import { braid, commitIn, gitIn, isOneLineError, writeFiles } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("braid rm", () => {
  const { sb, repo } = useRepo();
  const newSession = async (name: string): Promise<string> => {
    const r = await braid(sb, repo, ["new", name, "--json", "--no-bootstrap"]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).path as string;
  };
  const hasBranch = (b: string) => gitIn(sb, repo, "branch", "--list", b) !== "";
  const trash = () => join(repo, ".git", "braid", "trash");
  const trashEntries = () => (existsSync(trash()) ? readdirSync(trash()) : []);
  const commit = (dir: string, file: string, msg = file) => commitIn(sb, dir, { [file]: `${file}\n` }, msg);

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

  it("returns with the worktree gone from disk and from git; the trash is emptied in the background", async () => {
    const p = await newSession("big1");
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`gen/d${i % 20}/f${i}.txt`] = `${i}\n`;
    writeFiles(p, files);
    gitIn(sb, p, "add", "-A");
    gitIn(sb, p, "commit", "-q", "-m", "many files");
    gitIn(sb, repo, "merge", "-q", "--ff-only", "feature/big1");
    const r = await braid(sb, repo, ["rm", "big1", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.reclaimedBytes > 2000 * 512, `measured before the move: ${out.reclaimedBytes}`);
    assert.deepEqual(out.swarmBranches, []);
    assert.ok(!existsSync(p), "gone from the user's view when rm returns");
    assert.ok(!gitIn(sb, repo, "worktree", "list", "--porcelain").includes("app-big1"));
    assert.ok(!hasBranch("feature/big1"));
    await waitUntil("the trash is empty", () => trashEntries().length === 0);
    assert.equal(gitIn(sb, repo, "worktree", "prune", "--dry-run", "-v"), "", "git has nothing left to prune");
  });

  it("the background delete gets through read-only directories (e.g. a Go module cache)", async () => {
    const p = await newSession("ro1");
    writeFiles(p, { "cache/mod/a.go": "package a\n", "cache/mod/sub/b.go": "package b\n" });
    gitIn(sb, p, "add", "-A");
    gitIn(sb, p, "commit", "-q", "-m", "cache");
    gitIn(sb, repo, "merge", "-q", "--ff-only", "feature/ro1");
    for (const d of ["cache/mod/sub", "cache/mod", "cache"]) chmodSync(join(p, d), 0o555);
    const r = await braid(sb, repo, ["rm", "ro1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(p));
    await waitUntil("the trash is empty", () => trashEntries().length === 0);
  });

  it("removes a locked worktree with --force through the trash", async () => {
    const p = await newSession("locked1");
    gitIn(sb, repo, "worktree", "lock", "--reason", "on a usb disk", p);
    const refused = await braid(sb, repo, ["rm", "locked1"]);
    assert.ok(isOneLineError(refused), refused.stderr);
    assert.match(refused.stderr, /is locked \(on a usb disk\).*--force/);
    const r = await braid(sb, repo, ["rm", "locked1", "--force"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(p));
    assert.ok(!gitIn(sb, repo, "worktree", "list").includes("app-locked1"));
    assert.ok(!hasBranch("feature/locked1"));
  });

  it("falls back to deleting in place when the worktree is on another filesystem", async (t) => {
    const other = "/dev/shm";
    if (!existsSync(other) || statSync(other).dev === statSync(repo).dev) return t.skip("no second filesystem");
    let dir: string;
    try {
      dir = mkdtempSync(join(other, "braid-rm-test-"));
    } catch {
      return t.skip(`${other} is not writable`);
    }
    try {
      const p = join(dir, "wt");
      const n = await braid(sb, repo, ["new", "xdev1", "--path", p, "--no-bootstrap"]);
      assert.equal(n.code, 0, n.stderr);
      writeFileSync(join(p, "loose.txt"), "x\n");
      const r = await braid(sb, repo, ["rm", "xdev1", "--force", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(JSON.parse(r.stdout).backupRef, /^refs\/braid\/backup\/xdev1\//);
      assert.ok(!existsSync(p));
      assert.ok(!trashEntries().some((e) => e.startsWith("xdev1-")), "nothing went through the trash");
      assert.ok(!gitIn(sb, repo, "worktree", "list").includes(p));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("doctor reports a leftover trash folder (a killed background delete) and --fix deletes it", async () => {
    const left = join(trash(), `old1-20200101T000000000Z.del-${deadPid()}`);
    writeFiles(left, { "src/a.txt": "a\n", "node_modules/x/index.js": "x\n", ".git": "gitdir: /nowhere\n" });
    const d = await braid(sb, repo, ["doctor", "--json"]);
    const finding = JSON.parse(d.stdout).findings.find((f: { kind: string }) => f.kind === "trash");
    assert.ok(finding, d.stdout);
    assert.equal(finding.where, left);
    assert.equal(finding.fixable, true);
    assert.equal(finding.severity, "warning");
    assert.ok(existsSync(left), "doctor without --fix deletes nothing");
    const f = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    const fixed = JSON.parse(f.stdout).findings.find((x: { kind: string }) => x.kind === "trash");
    assert.equal(fixed.fixed, true, f.stdout);
    assert.ok(!existsSync(left));
    assert.deepEqual(trashEntries(), []);
  });

  it("any later braid command finishes a leftover trash folder in the background", async () => {
    const left = join(trash(), "old2-20200101T000000000Z");
    writeFiles(left, { "a/b/c.txt": "c\n" });
    mkdirSync(join(left, "empty"), { recursive: true });
    const r = await braid(sb, repo, ["ls"]);
    assert.equal(r.code, 0, r.stderr);
    await waitUntil("the leftover is deleted", () => trashEntries().length === 0);
  });

  describe("swarm sub-branches", () => {
    /** A session whose swarm executors left `braid-swarm/<name>/*` branches: r1-a merged into it, r1-b not. */
    const swarmSession = async (name: string) => {
      const p = await newSession(name);
      commit(p, `${name}-base.txt`);
      gitIn(sb, p, "switch", "-q", "-c", `braid-swarm/${name}/r1-a`);
      commit(p, `${name}-a.txt`);
      gitIn(sb, p, "switch", "-q", `feature/${name}`);
      gitIn(sb, p, "merge", "-q", "--no-ff", "-m", "swarm merge r1-a", `braid-swarm/${name}/r1-a`);
      gitIn(sb, p, "branch", `braid-swarm/${name}/r1-b`);
      gitIn(sb, p, "switch", "-q", `braid-swarm/${name}/r1-b`);
      const bTip = commit(p, `${name}-b.txt`);
      gitIn(sb, p, "switch", "-q", `feature/${name}`);
      gitIn(sb, repo, "merge", "-q", "--no-ff", "-m", `merge ${name}`, `feature/${name}`);
      return { p, bTip };
    };

    it("refuses unmerged swarm branches; --force saves them to backup refs and deletes them all", async () => {
      const { p, bTip } = await swarmSession("sw1");
      gitIn(sb, repo, "branch", "braid-swarm/sw10/r1-a"); // another session's: never touched
      const r = await braid(sb, repo, ["rm", "sw1"]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /1 commit on 1 swarm branch \(braid-swarm\/sw1\/…\) not merged into feature\/sw1/);
      assert.match(r.stderr, /--keep-branch to keep the branches.*--force/);
      assert.ok(existsSync(p), "nothing removed on refusal");
      assert.ok(hasBranch("braid-swarm/sw1/r1-a") && hasBranch("braid-swarm/sw1/r1-b"));

      const f = await braid(sb, repo, ["rm", "sw1", "--force", "--json"]);
      assert.equal(f.code, 0, f.stderr);
      const out = JSON.parse(f.stdout);
      assert.equal(out.branchDeleted, true);
      assert.equal(out.backupRef, null, "the session branch itself was merged");
      const byName = Object.fromEntries(out.swarmBranches.map((b: { branch: string }) => [b.branch, b])) as Record<
        string,
        { deleted: boolean; backupRef: string | null; keptBecause: string | null }
      >;
      assert.deepEqual(Object.keys(byName).sort(), ["braid-swarm/sw1/r1-a", "braid-swarm/sw1/r1-b"]);
      assert.deepEqual(byName["braid-swarm/sw1/r1-a"], {
        branch: "braid-swarm/sw1/r1-a",
        deleted: true,
        backupRef: null,
        keptBecause: null,
      });
      const b = byName["braid-swarm/sw1/r1-b"];
      assert.equal(b?.deleted, true);
      assert.match(b?.backupRef ?? "", /^refs\/braid\/backup\/sw1\/swarm\/r1-b\/\d{8}T\d{9}Z$/);
      assert.equal(gitIn(sb, repo, "rev-parse", b?.backupRef as string), bTip);
      assert.ok(!hasBranch("braid-swarm/sw1/r1-a") && !hasBranch("braid-swarm/sw1/r1-b"));
      assert.ok(hasBranch("braid-swarm/sw10/r1-a"), "a session with a longer name keeps its branches");
    });

    it("deletes merged swarm branches without --force, keeps one still checked out in a sub-worktree", async () => {
      const p = await newSession("sw2");
      commit(p, "sw2-base.txt");
      for (const id of ["a", "c"]) {
        gitIn(sb, p, "switch", "-q", "-c", `braid-swarm/sw2/r1-${id}`);
        commit(p, `sw2-${id}.txt`);
        gitIn(sb, p, "switch", "-q", "feature/sw2");
        gitIn(sb, p, "merge", "-q", "--no-ff", "-m", `swarm merge ${id}`, `braid-swarm/sw2/r1-${id}`);
      }
      gitIn(sb, repo, "merge", "-q", "--no-ff", "-m", "merge sw2", "feature/sw2");
      const sub = `${p}.swarm/r1-c`;
      gitIn(sb, repo, "worktree", "add", "-q", sub, "braid-swarm/sw2/r1-c");
      const r = await braid(sb, repo, ["rm", "sw2"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deleted swarm branch braid-swarm\/sw2\/r1-a\b/);
      assert.match(r.stdout, /kept swarm branch braid-swarm\/sw2\/r1-c \(checked out at .*r1-c\)/);
      assert.ok(!hasBranch("braid-swarm/sw2/r1-a"));
      assert.ok(hasBranch("braid-swarm/sw2/r1-c"));
      assert.ok(existsSync(sub), "the sub-worktree is not braid rm's to delete");
      gitIn(sb, repo, "worktree", "remove", sub);
    });

    it("--keep-branch keeps the swarm branches too", async () => {
      await swarmSession("sw3");
      const r = await braid(sb, repo, ["rm", "sw3", "--keep-branch", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(
        out.swarmBranches.map((b: { deleted: boolean; keptBecause: string }) => [b.deleted, b.keptBecause]),
        [
          [false, "--keep-branch"],
          [false, "--keep-branch"],
        ],
      );
      assert.ok(hasBranch("braid-swarm/sw3/r1-a") && hasBranch("braid-swarm/sw3/r1-b") && hasBranch("feature/sw3"));
    });
  });
});
