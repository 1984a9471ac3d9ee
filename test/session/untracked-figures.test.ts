/** Untracked new files count in changed lines (`status`) and appear in the board's `d` diff. */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { loadContext } from "../../src/project/context.js";
import { pageDiff } from "../../src/ui/board/terminal.js";
import { braid, gitIn, makeRepo } from "../helpers/env.js";
import { useSandboxEnv } from "../merge/fixture.js";

describe("untracked new files in a session's figures", () => {
  const sb = useSandboxEnv();

  it("status counts their lines; the diff pager shows them; the agent's index is untouched", async () => {
    const repo = makeRepo(sb, "app", { "README.md": "# app\n", "src/a.txt": "a\n" });
    const created = await braid(sb, repo, ["new", "s", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const wt = JSON.parse(created.stdout).path as string;
    writeFileSync(join(wt, "fresh.txt"), "one\ntwo\nthree"); // no newline at the end: still 3 lines, as git counts
    writeFileSync(join(wt, "blob.bin"), Buffer.from([1, 0, 2, 0, 3])); // binary: a file, no lines
    writeFileSync(join(wt, "src", "a.txt"), "a\nb\n"); // tracked change: +1
    const indexBefore = readFileSync(join(repo, ".git", "worktrees", "app-s", "index"));

    const st = await braid(sb, repo, ["status", "s", "--json"]);
    assert.equal(st.code, 0, st.stderr);
    const j = JSON.parse(st.stdout);
    const v = Array.isArray(j.sessions) ? j.sessions[0] : j;
    assert.equal(v.changedFiles, 3);
    assert.equal(v.linesAdded, 4);
    assert.equal(v.linesRemoved, 0);

    const out = join(sb.root, "paged.txt");
    process.env.BRAID_PAGER = `dd status=none of=${out}`;
    try {
      assert.equal(await pageDiff(await loadContext(repo), "s"), null);
    } finally {
      delete process.env.BRAID_PAGER;
    }
    const paged = stripVTControlCharacters(readFileSync(out, "utf8"));
    assert.match(paged, /fresh\.txt[\s\S]*\+one\n\+two\n\+three/);
    assert.match(paged, /src\/a\.txt/);
    assert.match(paged, /blob\.bin/);
    assert.deepEqual(readFileSync(join(repo, ".git", "worktrees", "app-s", "index")), indexBefore);
    assert.match(gitIn(sb, wt, "status", "--porcelain"), /\?\? fresh\.txt/, "still untracked");
  });
});
