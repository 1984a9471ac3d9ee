// Status reads its git figures from the radar's one pass over each worktree (snapshot + tree diffs). They must
// equal what the separate scans give (gitFigures: status, diff against the merge base, untracked files), for
// committed, staged, unstaged, untracked (text and binary), deleted work and a base that moved on; and follow
// a change at once (the caches are keyed by content, never stale).
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadContext } from "../../src/project/context.js";
import { gitFigures } from "../../src/session/gitstats.js";
import { listSessionViews } from "../../src/session/status.js";
import { braid, commitIn, gitIn, makeRepo } from "../helpers/env.js";
import { useSandboxEnv } from "../merge/fixture.js";

describe("git figures from one pass per worktree", () => {
  const sb = useSandboxEnv();

  const figuresOf = (v: { [k: string]: unknown }) => ({
    ahead: v.ahead,
    behind: v.behind,
    changedFiles: v.changedFiles,
    linesAdded: v.linesAdded,
    linesRemoved: v.linesRemoved,
    uncommittedFiles: v.uncommittedFiles,
  });

  it("equal the separate scans' figures, and follow changes", async () => {
    const repo = makeRepo(sb, "app", {
      "README.md": "# app\n",
      "src/a.txt": "a\nb\nc\n",
      "src/gone.txt": "1\n2\n",
      "docs/x.md": "x\n",
    });
    for (const n of ["s", "t"]) {
      const r = await braid(sb, repo, ["new", n]);
      assert.equal(r.code, 0, r.stderr);
    }
    const wt = join(sb.root, "app-s");
    commitIn(sb, wt, { "src/a.txt": "a\nB\nc\nd\n", "lib/new.txt": "n1\nn2\n" }, "committed work");
    commitIn(sb, repo, { "docs/x.md": "x\ny\n" }, "the base moves on");
    writeFileSync(join(wt, "staged.txt"), "s1\ns2\n");
    gitIn(sb, wt, "add", "staged.txt");
    writeFileSync(join(wt, "README.md"), "# app\nmore\n"); // unstaged
    rmSync(join(wt, "src", "gone.txt")); // deleted, not staged
    writeFileSync(join(wt, "fresh.txt"), "one\ntwo\nthree"); // untracked, no final newline
    writeFileSync(join(wt, "blob.bin"), Buffer.from([1, 0, 2, 0, 3])); // untracked binary
    writeFileSync(join(wt, ".gitignore"), "*.log\n");
    writeFileSync(join(wt, "noise.log"), "ignored\n");

    const check = async () => {
      const views = await listSessionViews(await loadContext(repo));
      for (const v of views) {
        const rec = (await loadContext(repo)).store.require(v.name);
        const expected = await gitFigures(rec.path, rec.baseRef);
        assert.deepEqual(figuresOf(v as unknown as Record<string, unknown>), expected, v.name);
      }
      return views;
    };
    const first = await check();
    const s = first.find((v) => v.name === "s");
    assert.equal(s?.ahead, 1);
    assert.equal(s?.behind, 1);
    assert.ok((s?.changedFiles ?? 0) >= 8, "committed, staged, unstaged, deleted and untracked files all count");
    assert.equal(first.find((v) => v.name === "t")?.changedFiles, 0);

    // Unchanged: the same figures again (from the caches).
    assert.deepEqual(
      (await check()).map((v) => figuresOf(v as unknown as Record<string, unknown>)),
      first.map((v) => figuresOf(v as unknown as Record<string, unknown>)),
    );
    // An edit without touching the index, and a commit: both show at once.
    writeFileSync(join(wt, "fresh.txt"), "one\ntwo\nthree\nfour\n");
    commitIn(sb, join(sb.root, "app-t"), { "t.txt": "t\n" }, "t works");
    const after = await check();
    assert.equal(after.find((v) => v.name === "t")?.ahead, 1);
    assert.equal(after.find((v) => v.name === "s")?.linesAdded, (s?.linesAdded ?? 0) + 1);
  });
});
