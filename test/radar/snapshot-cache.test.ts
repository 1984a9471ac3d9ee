// The radar's snapshot of an unchanged worktree costs one `git status` against braid's private index and nothing
// else (no add -A, write-tree or commit-tree), and it is never stale: every kind of change shows in the next
// snapshot, which must equal one made from scratch (a fresh copy of the index, add -A, write-tree).
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { treeViaIndexCopy, worktreeHead } from "../../src/git/snapshot.js";
import { radarSnapshot, SnapshotCache } from "../../src/radar/snapshot.js";
import { gitIn } from "../helpers/env.js";
import { type GitLog, installGitLog } from "../helpers/git-log.js";
import { useSandbox } from "../helpers/suite.js";

describe("radar snapshot cache", () => {
  const sb = useSandbox();
  const savedPath = process.env.PATH;
  let gitLog: GitLog;
  before(() => {
    gitLog = installGitLog(join(sb.root, "shim"));
    process.env.PATH = `${gitLog.bin}:${savedPath}`;
  });
  after(() => {
    process.env.PATH = savedPath;
  });
  const subcommands = (): string[] => gitLog.subcommands();

  it("costs one status when nothing changed, and shows every change in the next snapshot", async () => {
    const wt = join(sb.root, "wt");
    gitIn(sb, sb.root, "init", "-q", "-b", "main", wt);
    writeFileSync(join(wt, "a.txt"), "a\n");
    writeFileSync(join(wt, "b.txt"), "b\n");
    writeFileSync(join(wt, ".gitignore"), "*.log\n");
    gitIn(sb, wt, "add", "-A");
    gitIn(sb, wt, "commit", "-q", "-m", "initial");
    const cacheFile = join(sb.root, "state", "snapshots.json");
    const tmpDir = join(sb.root, "state", "tmp");

    // What a snapshot must hold: the worktree's content as a from-scratch snapshot sees it.
    const truth = async () => treeViaIndexCopy(wt, (await worktreeHead(wt)).indexPath, join(sb.root, "scratch"));
    // Each call loads the cache from its file, as a new `braid status` process does.
    const snap = async () => {
      const cache = new SnapshotCache(cacheFile);
      gitLog.clear();
      const s = await radarSnapshot(wt, { tmpDir, cache });
      cache.save();
      return s;
    };
    const expectFresh = async (what: string, dirty: boolean) => {
      const s = await snap();
      assert.equal(s.dirty, dirty, `${what}: dirty`);
      assert.equal(gitIn(sb, wt, "rev-parse", `${s.commit}^{tree}`), await truth(), `${what}: content`);
      assert.equal(s.head, gitIn(sb, wt, "rev-parse", "HEAD"), `${what}: head`);
      return s;
    };
    const expectUnchanged = async (what: string, prev: { commit: string }) => {
      // Twice: the first rewrites braid's index copy (the refreshed stat data and the untracked cache, so its
      // checksum is new) and must read the tree git recorded in it, not run write-tree; the second hits the cache.
      for (const run of ["first", "second"]) {
        const s = await snap();
        assert.equal(s.commit, prev.commit, `${what}: same snapshot (${run} run)`);
        assert.deepEqual(
          subcommands().filter((c) => c !== "rev-parse"),
          ["status"],
          `${what}: one status only (${run} run)`,
        );
      }
    };

    const clean = await expectFresh("clean", false);
    await expectUnchanged("clean", clean);

    writeFileSync(join(wt, "a.txt"), "edited by hand\n"); // no git add
    const edited = await expectFresh("edit without add", true);
    await expectUnchanged("edit without add", edited);

    writeFileSync(join(wt, "a.txt"), "edited by HAND\n"); // same size, still " M"
    const twice = await expectFresh("edited twice", true);
    assert.notEqual(twice.commit, edited.commit);
    await expectUnchanged("edited twice", twice);

    writeFileSync(join(wt, "new.txt"), "new\n"); // untracked
    const fresh = await expectFresh("new untracked file", true);
    assert.equal(gitIn(sb, wt, "show", `${fresh.commit}:new.txt`), "new");
    await expectUnchanged("new untracked file", fresh);

    mkdirSync(join(wt, "deep", "er"), { recursive: true });
    writeFileSync(join(wt, "deep", "er", "x.txt"), "x\n"); // untracked in a new directory
    const deep = await expectFresh("new untracked directory", true);
    assert.equal(gitIn(sb, wt, "show", `${deep.commit}:deep/er/x.txt`), "x");

    writeFileSync(join(wt, "noise.log"), "ignored\n"); // ignored: not part of the snapshot
    assert.equal((await expectFresh("ignored file", true)).commit, deep.commit);

    rmSync(join(wt, "b.txt")); // deleted, not staged
    const deleted = await expectFresh("deleted file", true);
    assert.throws(() => gitIn(sb, wt, "cat-file", "-e", `${deleted.commit}:b.txt`));
    await expectUnchanged("deleted file", deleted);

    gitIn(sb, wt, "add", "new.txt"); // the real index changes, the content does not
    const staged = await expectFresh("git add", true);
    assert.equal(staged.commit, deleted.commit, "same content, same snapshot");

    gitIn(sb, wt, "add", "-A");
    gitIn(sb, wt, "commit", "-q", "-m", "work"); // HEAD moves, worktree clean again
    const committed = await expectFresh("commit", false);
    assert.equal(committed.commit, gitIn(sb, wt, "rev-parse", "HEAD"));
    await expectUnchanged("commit", committed);

    gitIn(sb, wt, "rm", "-q", "--cached", "new.txt"); // tracked → untracked: content unchanged, index changed
    assert.equal((await expectFresh("git rm --cached", false)).commit, committed.commit, "still on disk: same content");
  });
});
