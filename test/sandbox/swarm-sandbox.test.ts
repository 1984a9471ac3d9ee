// `braid swarm run --sandbox` with real bubblewrap and the real `claude -p` against the scripted model: every
// executor runs in the sandbox — it writes and commits in its own sub-worktree (the commit comes back to its
// branch and is merged), while its Bash tool cannot touch the main worktree or $HOME.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn, waitFor } from "../helpers/env.js";
import { afterTool, type StubRequest } from "../helpers/model-stub.js";
import { executorId, role, subtask, useSwarmFixture } from "../swarm/swarm-fixture.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;

describe("braid swarm --sandbox: executors in the sandbox", { skip: !haveBwrap && "bwrap not usable" }, () => {
  const f = useSwarmFixture();

  const evil = () => join(f.repo, "evil.txt");
  const home = () => join(f.sb.home, "evil.txt");
  const tryEverything = () => {
    f.scenario = (req: StubRequest) => {
      const r = role(req);
      if (r === "planner") return { structured: { batches: [{ subtasks: [subtask("t1", "t1.txt")] }] } };
      if (r !== "executor" || afterTool(req)) return undefined;
      const id = executorId(req);
      // One Bash call: its own file committed, then the writes the sandbox must stop.
      const command = [
        `echo work > ${id}.txt && git add ${id}.txt && git commit -qm "executor ${id} inside"`,
        `(echo evil > ${evil()}) 2>/dev/null`,
        `(echo evil > ${home()}) 2>/dev/null`,
        "true",
      ].join("; ");
      return { toolUse: { name: "Bash", input: { command, description: "work" } } };
    };
  };

  it("an executor commits in its sub-worktree; writes to the main worktree and home fail", async () => {
    tryEverything();
    const r = await f.run("sbx", ["--sandbox"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.state, "done");
    const session = JSON.parse((await braid(f.sb, f.repo, ["ls", "--json"])).stdout).worktrees.find(
      (w: { session: string }) => w.session === "sbx",
    );
    assert.ok(
      existsSync(join(session.path, "t1.txt")),
      `the executor's work was merged: ${JSON.stringify(rec.agents)}`,
    );
    const log = gitIn(f.sb, f.repo, "log", "--format=%s", `main..${session.branch}`);
    assert.match(log, /executor t1 inside/, `its own commit came back through the private git dir:\n${log}`);
    assert.ok(!existsSync(evil()), "the main worktree is read-only for executors");
    assert.ok(!existsSync(home()), "home is read-only for executors");
    // The executor's private git dir went with its sub-worktree.
    const dir = join(f.repo, ".git", "braid", "sandbox", "sbx", "swarm");
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
  });

  it("braid start --mode swarm --sandbox: braid drives the swarm outside, its agents run inside", async () => {
    tryEverything();
    const r = await braid(
      f.sb,
      f.repo,
      ["start", "st", "task for st", "--mode", "swarm", "--architects", "1", "--sandbox"],
      {
        env: f.env,
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rec = await waitFor(
      "the swarm to end",
      async () => {
        const shown = await braid(f.sb, f.repo, ["swarm", "st", "--json"], { env: f.env });
        const v = shown.code === 0 ? JSON.parse(shown.stdout) : null;
        return v && ["done", "failed"].includes(v.state) ? v : null;
      },
      150_000,
    );
    assert.equal(rec.state, "done", JSON.stringify(rec.agents));
    const st = JSON.parse((await braid(f.sb, f.repo, ["status", "st", "--json"], { env: f.env })).stdout).sessions[0];
    assert.equal(st.sandboxed, true);
    assert.match(gitIn(f.sb, f.repo, "log", "--format=%s", `main..${st.branch}`), /executor t1 inside/);
    assert.ok(!existsSync(evil()) && !existsSync(home()), "nothing outside the sub-worktree was written");
  });
});
