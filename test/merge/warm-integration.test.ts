// With verify, the train's one integration worktree is kept between trains and moved on by checkout (only the
// changed files are written; the verify command's ignored build output is still there next time). A failing
// verify still stops the train and leaves the base alone; anything a user leaves in the kept worktree is backed up
// before it is replaced.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, commitIn, gitIn } from "../helpers/env.js";
import { repoWithSessions, useSandboxEnv } from "./fixture.js";

describe("merge train: the warm integration worktree", () => {
  const sb = useSandboxEnv();

  it("is reused across trains, stops on a failing verify as before, and keeps what a user left in it", async () => {
    const { repo, wt } = await repoWithSessions(sb, "w1", ["a", "b", "c", "d"]);
    commitIn(sb, repo, { ".gitignore": "build/\n" }, "ignore build output");
    const log = join(sb.root, "w1.log");
    // verify: says whether its build output from an earlier step is still there, then leaves some
    const verify = `if [ -f build/marker ]; then echo warm >> ${log}; else echo cold >> ${log}; fi; mkdir -p build; touch build/marker`;
    const listed = () => gitIn(sb, repo, "worktree", "list", "--porcelain");

    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    const r1 = await braid(sb, repo, ["merge", "a", "--json", "--verify", verify]);
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    const j1 = JSON.parse(r1.stdout);
    assert.equal(j1.moved, true);
    assert.equal(j1.integrationWorktree, null, "nothing to inspect");
    const kept = /^worktree (.*wt-integration)$/m.exec(listed())?.[1] as string;
    assert.ok(kept && existsSync(join(kept, "build", "marker")), "kept, with the verify command's build output");
    const inode = statSync(kept).ino;
    assert.equal(gitIn(sb, kept, "rev-parse", "HEAD"), gitIn(sb, repo, "rev-parse", "main"));

    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    const r2 = await braid(sb, repo, ["merge", "b", "--json", "--verify", verify]);
    assert.equal(r2.code, 0, r2.stderr + r2.stdout);
    const j2 = JSON.parse(r2.stdout);
    assert.equal(j2.moved, true);
    assert.deepEqual(j2.recovered, [], "nothing removed on the way");
    assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), ["cold", "warm"], "the second train found it warm");
    assert.equal(statSync(kept).ino, inode, "the same directory, not a new checkout");
    assert.equal(gitIn(sb, kept, "rev-parse", "HEAD"), gitIn(sb, repo, "rev-parse", "main"), "moved to the new base");
    assert.ok(existsSync(join(kept, "b.txt")) && existsSync(join(kept, "a.txt")));
    assert.equal(gitIn(sb, kept, "status", "--porcelain"), "");

    // A failing verify stops the train as before: the base stays, the worktree is reported for inspection.
    commitIn(sb, wt("c"), { "c.txt": "c\n" });
    const before = gitIn(sb, repo, "rev-parse", "main");
    const r3 = await braid(sb, repo, ["merge", "c", "--json", "--verify", `${verify}; exit 3`]);
    assert.equal(r3.code, 1, r3.stderr + r3.stdout);
    const j3 = JSON.parse(r3.stdout);
    assert.equal(j3.moved, false);
    assert.equal(j3.stoppedAt.reason, "verify-failed");
    assert.equal(j3.integrationWorktree, kept);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), before);
    assert.ok(existsSync(join(kept, "c.txt")), "the failed step is there to inspect");

    // A user works in it (an untracked file): the next train backs that up before it moves the worktree on.
    writeFileSync(join(kept, "notes.txt"), "my findings\n");
    commitIn(sb, wt("d"), { "d.txt": "d\n" });
    const r4 = await braid(sb, repo, ["merge", "c", "d", "--json", "--verify", verify]);
    assert.equal(r4.code, 0, r4.stderr + r4.stdout);
    const j4 = JSON.parse(r4.stdout);
    const backup = j4.recovered.find((n: { action: string }) => n.action === "backed-up-kept")?.detail as string;
    assert.match(backup, /^refs\/braid\/backup\/integration\//);
    assert.equal(gitIn(sb, repo, "show", `${backup}:notes.txt`), "my findings");
    assert.equal(j4.moved, true);
    assert.deepEqual(
      j4.merged.map((m: { name: string }) => m.name),
      ["c", "d"],
    );
    assert.equal(gitIn(sb, kept, "rev-parse", "HEAD"), gitIn(sb, repo, "rev-parse", "main"));
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "", "the user's checkout followed, clean");

    // braid's own: not a worktree `ls` lists; doctor says what it is and how to free its space (info, not a problem)
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.ok(!ls.worktrees.some((w: { path: string }) => w.path === kept));
    const doc = await braid(sb, repo, ["doctor", "--json"]);
    const found = JSON.parse(doc.stdout).findings.find((f: { kind: string }) => f.kind === "integration-worktree");
    assert.equal(found?.where, kept);
    assert.equal(found?.severity, "info");
    assert.match(found?.fix, /git worktree remove --force/);
  });
});
