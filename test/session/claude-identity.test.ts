// The real Claude Code in tmux (braid's private server) while braid itself runs as if from a pane of a SECOND
// tmux server the test started ($TMUX/$TMUX_PANE point at it): status says idle/working, never stopped; a
// folder-trust screen says what to answer; kill-server makes the session `lost`; `restart --all` resumes it in
// the same conversation (the next prompt's request carries the first turn).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CLAUDE_BIN,
  claudeAvailable,
  claudeEnv,
  endTmuxServer,
  prepareClaudeHome,
  removeSandbox,
  TmuxTestServer,
} from "../helpers/claude.js";
import { braid, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, requestContains, startModelStub, userTexts } from "../helpers/model-stub.js";

interface View {
  name: string;
  state: string;
  detail: string | null;
  conversationId?: string | null;
}

describe("real Claude in tmux, braid run from another tmux server", {
  skip: !claudeAvailable() && "claude not installed",
}, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  let other: TmuxTestServer;
  const socket = `braid-id-claude-${process.pid}`;
  const wt = (name: string) => join(sb.root, `app-${name}`);

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
    stub = await startModelStub();
    other = new TmuxTestServer(sb, "other");
    other.newSession("shell", sb.root, ["sleep", "100000"]);
    const [tmuxVar, pane] = other
      .tmux("display-message", "-p", "-t", "=shell:", "#{socket_path},#{pid},0\t#{pane_id}")
      .trim()
      .split("\t");
    env = {
      ...claudeEnv(sb, stub.url),
      PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`,
      BRAID_TMUX_SOCKET: socket,
      // braid runs "from a pane" of the other server
      TMUX: tmuxVar,
      TMUX_PANE: pane,
    };
    prepareClaudeHome(sb.home, { trustedPaths: [wt("chat")] });
    stub.scriptForCwd(wt("chat"), [{ text: "Hello from the first turn." }, { text: "Second answer, same chat." }]);
    stub.scriptForCwd(wt("untrusted"), [{ text: "Trusted now." }]);
  });

  after(async () => {
    const agentsGone = endTmuxServer(sb, socket);
    await other.kill();
    await stub.stop();
    await agentsGone();
    await removeSandbox(sb);
  });

  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    braid(sb, repo, args, { env: { ...env, ...extra }, timeoutMs: 90_000 });
  async function until(
    what: string,
    pred: (v: Map<string, View>) => boolean,
    ms = 120_000,
  ): Promise<Map<string, View>> {
    const deadline = Date.now() + ms;
    let last = new Map<string, View>();
    while (Date.now() < deadline) {
      const r = await run(["status", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      last = new Map((JSON.parse(r.stdout) as { sessions: View[] }).sessions.map((v) => [v.name, v]));
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify([...last.values()])}`);
  }

  it("status sees the session idle from a pane of another server", async () => {
    const r = await run(["start", "chat", "[[first]] say hello"]);
    assert.equal(r.code, 0, r.stderr);
    await stub.waitForRequest((q) => q.kind === "main" && q.cwd === wt("chat"), 120_000);
    const v = await until("chat idle after its first turn", (m) => m.get("chat")?.state === "idle");
    assert.ok(v.get("chat")?.conversationId);
    assert.equal(stub.mainRequests({ cwd: wt("chat") }).length, 1);
  });

  it("a session on Claude's folder-trust screen says what to answer; the answer works", async () => {
    assert.equal((await run(["start", "untrusted", "[[trust]] go"])).code, 0);
    const v = await until("trust dialog", (m) => m.get("untrusted")?.state === "waiting");
    assert.equal(v.get("untrusted")?.detail, "trust dialog: braid send untrusted 1");
    assert.equal((await run(["send", "untrusted", "1"])).code, 0);
    await stub.waitForRequest((q) => q.kind === "main" && q.cwd === wt("untrusted"), 120_000);
    assert.equal((await run(["stop", "untrusted"])).code, 0);
  });

  it("Claude's first-run failure says why in status and `braid logs`", async () => {
    // A HOME whose ~/.claude.json never completed onboarding: Claude tries the internet, prints why, exits 1.
    const fresh = join(sb.root, "fresh-home");
    mkdirSync(fresh, { recursive: true });
    const r = await run(["start", "fresh", "hello"], { HOME: fresh });
    assert.ok(r.code === 0 || /Unable to connect/.test(r.stderr), r.stderr);
    const v = await until("fresh failed", (m) => m.get("fresh")?.state === "failed");
    assert.equal(v.get("fresh")?.detail, "exit 1: Unable to connect to Anthropic services");
    const logs = await run(["logs", "fresh"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /Failed to connect to api\.anthropic\.com/);
    const attach = await run(["attach", "fresh"]);
    assert.match(attach.stderr, /braid logs fresh/);
  });

  it("kill-server → lost; restart --all → alive again in the same conversation", async () => {
    const before = (await until("chat idle", (m) => m.get("chat")?.state === "idle")).get("chat");
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
    const lost = await until("chat lost", (m) => m.get("chat")?.state === "lost");
    assert.equal(lost.get("chat")?.detail, "tmux server gone");
    assert.equal(lost.get("untrusted")?.state, "stopped", "a stopped session stays stopped");
    const r = await run(["restart", "--all"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /restarted chat/);
    const back = await until("chat idle again", (m) => m.get("chat")?.state === "idle");
    assert.equal(back.get("chat")?.conversationId, before?.conversationId, "the same conversation id");
    const mark = stub.requests.length;
    assert.equal((await run(["send", "chat", "[[second]] and again"])).code, 0);
    const req = await stub.waitForRequest((q) => q.seq > mark && q.kind === "main" && q.cwd === wt("chat"), 120_000);
    assert.ok(requestContains(req, "Hello from the first turn."), "the resumed conversation carries the first turn");
    assert.ok(
      userTexts(req).some((t) => t.includes("[[first]]")),
      "and its first prompt",
    );
    await until("chat idle after the second turn", (m) => m.get("chat")?.state === "idle");
  });
});
