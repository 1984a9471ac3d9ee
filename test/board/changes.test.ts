// The board's slow figures are loaded again only when something they depend on changed (a hook, the
// worktree's index or HEAD, a ref, the registry) — an idle board runs no git — and then show the change.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { loadContext } from "../../src/project/context.js";
import { eventMarkFile } from "../../src/runtime/paths.js";
import { realLoaders } from "../../src/ui/board/loaders.js";
import { braid, commitIn, gitIn, makeRepo, waitFor } from "../helpers/env.js";
import { useSandboxEnv } from "../merge/fixture.js";

describe("board: slow figures on change only", () => {
  const sb = useSandboxEnv();

  it("skips the load while nothing changed, reloads on an index change, a commit and agent activity", async () => {
    const repo = makeRepo(sb, "app", { "README.md": "# app\n", "a.txt": "a\n" });
    const made = await braid(sb, repo, ["new", "s"]);
    assert.equal(made.code, 0, made.stderr);
    const wt = join(sb.root, "app-s");
    const ctx = await loadContext(repo);
    const loaders = realLoaders(ctx);
    const first = await loaders.slow();
    assert.equal(await loaders.slow(), first, "nothing changed: the same figures, nothing loaded");

    writeFileSync(join(wt, "b.txt"), "b\nb\n");
    gitIn(sb, wt, "add", "b.txt"); // the index changes
    const staged = await loaders.slow();
    assert.notEqual(staged, first);
    assert.equal(staged.views[0]?.changedFiles, 1);
    assert.equal(staged.views[0]?.linesAdded, 2);

    commitIn(sb, wt, { "c.txt": "c\n" }, "more");
    const committed = await loaders.slow();
    assert.equal(committed.views[0]?.ahead, 1);
    assert.equal(committed.views[0]?.changedFiles, 2);

    // An edit the index does not see, reported by the agent's PostToolUse hook (it touches the activity file).
    writeFileSync(join(wt, "a.txt"), "a\nmore\n");
    assert.equal(await loaders.slow(), committed, "no hook yet: not looked at");
    const activity = eventMarkFile(ctx.project.stateDir, "s", "PostToolUse");
    mkdirSync(dirname(activity), { recursive: true }); // a started session has it
    writeFileSync(activity, "");
    const active = await loaders.slow();
    assert.equal(active.views[0]?.linesAdded, 4);

    // the prompt and stop marks of the shell hooks count as activity too
    for (const ev of ["UserPromptSubmit", "Stop"] as const) {
      const seen = await loaders.slow();
      writeFileSync(join(wt, "a.txt"), `a\n${ev}\n`);
      assert.equal(await loaders.slow(), seen, `${ev}: no mark yet, not looked at`);
      writeFileSync(eventMarkFile(ctx.project.stateDir, "s", ev), "");
      assert.notEqual(await loaders.slow(), seen, `${ev} mark: looked at again`);
    }
  });

  it("with the watcher daemon, an edit nobody reported is looked at on the next tick", async () => {
    const repo = makeRepo(sb, "watched", { "a.txt": "a\n" });
    assert.equal((await braid(sb, repo, ["new", "w"], { env: { BRAID_WATCH: "1" } })).code, 0);
    const wt = join(sb.root, "watched-w");
    process.env.BRAID_WATCH = "1";
    const ctx = await loadContext(repo);
    const loaders = realLoaders(ctx);
    try {
      await loaders.slow(); // starts the daemon
      const state = join(ctx.project.stateDir, "watch", "state.json");
      const watched = () => {
        try {
          return JSON.parse(readFileSync(state, "utf8")) as { pid: number; worktrees: Record<string, number> };
        } catch {
          return null;
        }
      };
      const before = await waitFor("the watcher", () => {
        const w = watched();
        return w && w.worktrees[wt] !== undefined ? w : null;
      });
      const seen = await loaders.slow();
      assert.equal(await loaders.slow(), seen, "nothing changed");
      writeFileSync(join(wt, "a.txt"), "a\nedited\n");
      await waitFor("the edit counted", () => (watched()?.worktrees[wt] ?? 0) > (before.worktrees[wt] ?? 0));
      const edited = await loaders.slow();
      assert.notEqual(edited, seen);
      assert.equal(edited.views[0]?.linesAdded, 1);
      process.kill(before.pid, "SIGTERM"); // the daemon this test started
    } finally {
      process.env.BRAID_WATCH = "0";
    }
  });
});
