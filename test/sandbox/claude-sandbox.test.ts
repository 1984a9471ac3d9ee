// The REAL Claude Code CLI inside the bubblewrap sandbox, against the model stub: headless with full autonomy
// (the default for sandboxed headless sessions) and in tmux, it edits its worktree, commits, posts a note
// with braid from inside, and its hooks reach braid (live state and conversation id recorded) — while the
// same run's attempt to write outside its worktree fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readLive } from "../../src/session/live.js";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome } from "../helpers/claude.js";
import { BRAID_BIN, braid, gitIn, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, startModelStub, toolResults } from "../helpers/model-stub.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;

interface View {
  name: string;
  state: string;
  detail: string | null;
  sandboxed?: boolean;
  conversationId?: string | null;
}

describe("real Claude Code in the sandbox", {
  skip: (!claudeAvailable() && "claude not installed") || (!haveBwrap && "bwrap not usable"),
}, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  const socket = `braid-sbx-${process.pid}`;
  const wt = (name: string) => join(sb.root, `app-${name}`);

  /** Write a file, commit it, post a note from inside, then try to write into the main worktree. */
  const script = (name: string) => [
    { toolUse: { name: "Write", input: { file_path: join(wt(name), `${name}.txt`), content: `${name}\n` } } },
    {
      toolUse: {
        name: "Bash",
        input: { command: `git add -A && git commit -q -m "add ${name}.txt"`, description: "commit" },
      },
    },
    {
      toolUse: {
        name: "Bash",
        input: { command: `node ${BRAID_BIN} note "${name} is ready"`, description: "note" },
      },
    },
    {
      toolUse: {
        name: "Bash",
        input: { command: `echo evil > ${join(repo, "evil.txt")}`, description: "escape" },
      },
    },
    { text: `Done with ${name}.` },
  ];

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    stub = await startModelStub();
    env = {
      ...claudeEnv(sb, stub.url),
      PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`,
      BRAID_TMUX_SOCKET: socket,
    };
    // full autonomy in an interactive Claude: the one-time "bypass permissions" confirmation is already given
    prepareClaudeHome(sb.home, {
      trustedPaths: ["headless", "interactive"].map(wt),
      extra: { bypassPermissionsModeAccepted: true },
    });
    stub.scriptForCwd(wt("headless"), script("headless"));
    stub.scriptForCwd(wt("interactive"), script("interactive"));
  });

  after(async () => {
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
    await stub.stop();
    sb.cleanup();
  });

  const run = (args: string[]) => braid(sb, repo, args, { env, timeoutMs: 120_000 });
  async function until(name: string, ok: (v: View) => boolean, what: string): Promise<View> {
    const deadline = Date.now() + 180_000;
    let last: View | undefined;
    while (Date.now() < deadline) {
      const r = await run(["status", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      last = (JSON.parse(r.stdout) as { sessions: View[] }).sessions.find((v) => v.name === name);
      if (last && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${name}: ${what} never happened: ${JSON.stringify(last)}`);
  }

  function assertWorked(name: string): void {
    assert.equal(readFileSync(join(wt(name), `${name}.txt`), "utf8"), `${name}\n`, "the Write landed in the worktree");
    assert.equal(
      gitIn(sb, repo, "log", "-1", "--format=%s", `feature/${name}`),
      `add ${name}.txt`,
      "the commit made inside came back to the real branch",
    );
    assert.equal(gitIn(sb, wt(name), "status", "--porcelain"), "", "outside, git sees the worktree clean");
    assert.ok(!existsSync(join(repo, "evil.txt")), "the write into the main worktree failed");
    const escaped = toolResults(stub.mainRequests({ cwd: wt(name) })[4]!)[0];
    assert.match(escaped?.text ?? "", /Read-only file system/, "the agent saw the write fail");
    const live = readLive(join(repo, ".git", "braid"), name);
    assert.ok(live?.conversationId, "braid's hooks ran inside the sandbox and recorded the conversation");
  }

  it("headless: full autonomy by default, edits, commits, posts a note; nothing escapes", async () => {
    const r = await run(["start", "headless", "--headless", "--sandbox", "do the work"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sandboxed/);
    const v = await until("headless", (x) => ["done", "failed"].includes(x.state), "done");
    assert.equal(v.state, "done", v.detail ?? "");
    assert.equal(v.sandboxed, true);
    assertWorked("headless");
    const notes = await run(["notes", "--json"]);
    assert.match(notes.stdout, /headless is ready/, "braid note from inside reached the notes");
  });

  it("tmux: the same inside an interactive Claude session", async () => {
    const r = await run(["start", "interactive", "--sandbox", "--autonomy", "full", "do the work"]);
    assert.equal(r.code, 0, r.stderr);
    await until(
      "interactive",
      (x) => x.state === "idle" && existsSync(join(wt("interactive"), "interactive.txt")),
      "idle",
    );
    // The branch comes back while the agent still runs (the wrapper syncs on each commit): the ref first, then the
    // index, so wait for both before looking.
    const deadline = Date.now() + 30_000;
    while (
      gitIn(sb, repo, "log", "-1", "--format=%s", "feature/interactive") !== "add interactive.txt" ||
      gitIn(sb, wt("interactive"), "status", "--porcelain") !== ""
    ) {
      assert.ok(Date.now() < deadline, "the commit and its index never came back while the agent ran");
      await new Promise((r) => setTimeout(r, 250));
    }
    assertWorked("interactive");
    const notes = await run(["notes", "--json"]);
    assert.match(notes.stdout, /interactive is ready/);
    assert.equal((await run(["stop", "interactive"])).code, 0);
  });
});
