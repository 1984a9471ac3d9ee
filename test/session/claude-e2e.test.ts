// End to end with the REAL Claude Code CLI (offline, against the scripted model stub) in a private tmux
// server: five sessions at once — one commits via Bash, one is held working, one waits on a permission
// prompt that `braid send` answers, a read-only research session whose Write is refused, a headless -p
// session that runs to done — and a sixth (the 5th implementation session) that queues and starts the
// moment the headless one finishes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { detectScreenState } from "../../src/agents/index.js";
import { loadContext } from "../../src/project/context.js";
import { readLive } from "../../src/session/live.js";
import { listSessionViews } from "../../src/session/status.js";
import {
  CLAUDE_BIN,
  claudeAvailable,
  claudeEnv,
  endTmuxServer,
  prepareClaudeHome,
  removeSandbox,
} from "../helpers/claude.js";
import { braid, gitIn, makeRepo, makeSandbox, type Sandbox, waitFor } from "../helpers/env.js";
import { firstUserText, type ModelStub, startModelStub, toolNames, toolResults } from "../helpers/model-stub.js";

interface View {
  name: string;
  state: string;
  detail: string | null;
  ahead: number | null;
  changedFiles: number | null;
  queuePosition: number | null;
  conversationId?: string | null;
  transcriptPath?: string | null;
  exitCode?: number | null;
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

describe("sessions with the real Claude Code", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  const socket = `braid-b1-e2e-${process.pid}`;
  const batchGate = gate();
  const slowGate = gate();
  const wt = (name: string) => join(sb.root, `app-${name}`);
  const stateDir = () => join(repo, ".git", "braid");

  const savedEnv = { ...process.env };
  before(async () => {
    sb = makeSandbox();
    // In-process calls (listSessionViews) must see the sandbox's HOME/XDG/tmux dirs, never the real ones.
    for (const k of ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "TMUX_TMPDIR"])
      process.env[k] = sb.env[k];
    delete process.env.TMUX;
    repo = makeRepo(sb, "app");
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
    // Held replies are answered by the fallback responder when the test opens their gate.
    stub = await startModelStub({
      responder: async (req) => {
        const first = firstUserText(req.body);
        if (first.includes("[[batch]]")) {
          await batchGate.wait;
          return { text: "Batch finished." };
        }
        if (first.includes("[[slow]]")) {
          await slowGate.wait;
          return { text: "Finally." };
        }
        return undefined;
      },
    });
    env = { ...claudeEnv(sb, stub.url), PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`, BRAID_TMUX_SOCKET: socket };
    prepareClaudeHome(sb.home, {
      trustedPaths: ["committer", "slow", "asker", "reader", "batch", "fifth"].map(wt),
    });
    stub.scriptForCwd(wt("committer"), [
      {
        text: "Writing.",
        toolUse: { name: "Bash", input: { command: "printf 'hello\\n' > hello.txt", description: "write" } },
      },
      {
        text: "Committing.",
        toolUse: {
          name: "Bash",
          input: { command: "git add hello.txt && git commit -qm 'add hello'", description: "commit" },
        },
      },
      { text: "Committed hello.txt." },
    ]);
    stub.scriptForCwd(wt("asker"), [
      {
        text: "Need to run this.",
        toolUse: { name: "Bash", input: { command: "touch asked.txt", description: "touch" } },
      },
      { text: "Touched it." },
    ]);
    stub.scriptForCwd(wt("reader"), [
      {
        text: "Let me write.",
        toolUse: { name: "Write", input: { file_path: join(wt("reader"), "evil.txt"), content: "x\n" } },
      },
      { text: "I could not write; here are my findings." },
    ]);
    stub.scriptForCwd(wt("fifth"), [{ text: "Fifth here." }]);
  });

  after(async () => {
    process.env = savedEnv;
    slowGate.open();
    batchGate.open();
    // Kill only this test's server, then wait for its agents to exit before removing the sandbox.
    const agentsGone = endTmuxServer(sb, socket);
    await stub.stop();
    await agentsGone();
    await removeSandbox(sb);
  });

  const run = (args: string[]) => braid(sb, repo, args, { env, timeoutMs: 90_000 });
  const views = async (): Promise<View[]> => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { sessions: View[] }).sessions;
  };
  async function until(what: string, pred: (v: Map<string, View>) => boolean, ms = 90_000): Promise<Map<string, View>> {
    const deadline = Date.now() + ms;
    let last = new Map<string, View>();
    while (Date.now() < deadline) {
      last = new Map((await views()).map((v) => [v.name, v]));
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `timed out waiting for ${what}: ${JSON.stringify([...last.values()].map((v) => [v.name, v.state, v.detail]))}`,
    );
  }
  const capture = (name: string) =>
    spawnSync("tmux", ["-L", socket, "capture-pane", "-p", "-t", `=braid-app:=${name}`], {
      env: sb.env,
      encoding: "utf8",
    }).stdout;

  it("runs five sessions; status shows idle, working and waiting truthfully", async (t) => {
    // The committer may run Bash without asking (a local settings file in its worktree, kept out of git).
    assert.equal((await run(["new", "committer"])).code, 0);
    mkdirSync(join(wt("committer"), ".claude"), { recursive: true });
    writeFileSync(
      join(wt("committer"), ".claude", "settings.local.json"),
      JSON.stringify({ permissions: { allow: ["Bash"] } }),
    );
    appendFileSync(join(repo, ".git", "info", "exclude"), ".claude/\n");

    const starts = await Promise.all([
      run(["start", "committer", "write hello.txt and commit it"]),
      run(["start", "slow", "[[slow]] think for a long time"]),
      run(["start", "asker", "--autonomy", "ask", "touch asked.txt"]), // ask: Claude's own default prompts
      run(["start", "reader", "--type", "research", "study the code"]),
      run(["start", "batch", "--headless", "[[batch]] run the batch"]),
    ]);
    for (const r of starts) assert.equal(r.code, 0, r.stderr);

    const fifth = await run(["start", "fifth", "--json", "say hi"]);
    assert.equal(fifth.code, 0, fifth.stderr);
    assert.deepEqual([JSON.parse(fifth.stdout).queued, JSON.parse(fifth.stdout).queuePosition], [true, 1]);

    // The permission prompt: measure how long braid takes to know once the screen shows it — what
    // `braid status` computes (hooks + screen), in process so the CLI's own start-up is not counted.
    const ctx = await loadContext(repo);
    await listSessionViews(ctx, { git: false, cost: false });
    const deadline = Date.now() + 90_000;
    while (!/Do you want to proceed\?/.test(capture("asker"))) {
      assert.ok(Date.now() < deadline, `asker never showed its prompt:\n${capture("asker")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seen = Date.now();
    const screenAtSeen = capture("asker");
    let viewLag = -1;
    const trace: string[] = [];
    let hookLag = -1;
    while ((viewLag < 0 || hookLag < 0) && Date.now() - seen < 10_000) {
      if (hookLag < 0 && readLive(stateDir(), "asker")?.state === "waiting") hookLag = Date.now() - seen;
      if (viewLag < 0) {
        const asker = (await listSessionViews(ctx, { git: false, cost: false })).find((x) => x.name === "asker");
        if (asker?.state === "waiting") viewLag = Date.now() - seen;
        else trace.push(`${Date.now() - seen}ms ${asker?.state} ${asker?.detail}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    await listSessionViews(ctx, { git: false, cost: false });
    const oneCall = Date.now() - t0;
    t.diagnostic(
      `status knew 'waiting' ${viewLag} ms after the prompt appeared on screen (hook alone: ${hookLag} ms; one status computation: ${oneCall} ms; load ${loadavg()[0]?.toFixed(1)})`,
    );
    if (viewLag >= 1000)
      t.diagnostic(`screen then: ${JSON.stringify(detectScreenState("claude", screenAtSeen))}\n${screenAtSeen}`);
    // Target 1 s. On a machine loaded far past its cores (shared CI boxes), process start-up alone can take
    // that long, so the bound widens there; the measured figure is always printed above.
    const bound = loadavg()[0]! > 2 * cpus().length ? 2500 : 1000;
    assert.ok(viewLag >= 0 && viewLag < bound, `waiting known after ${viewLag} ms (bound ${bound} ms)`);

    const v = await until(
      "idle committer, working slow, waiting asker, idle reader",
      (m) =>
        m.get("committer")?.state === "idle" &&
        m.get("slow")?.state === "working" &&
        m.get("asker")?.state === "waiting" &&
        m.get("reader")?.state === "idle",
    );
    assert.match(v.get("asker")?.detail ?? "", /permission prompt: Bash/);
    assert.equal(v.get("fifth")?.state, "queued");
    assert.equal(v.get("committer")?.ahead, 1, "the commit made via Bash is on the session's branch");
    assert.equal(gitIn(sb, wt("committer"), "log", "-1", "--format=%s"), "add hello");
    assert.match(v.get("committer")?.transcriptPath ?? "", /\.jsonl$/);
    assert.ok(v.get("committer")?.conversationId, "Claude's session id is recorded");
  });

  it("braid send answers the permission prompt and the session moves on", async () => {
    const r = await run(["send", "asker", "1"]);
    assert.equal(r.code, 0, r.stderr);
    await until("asker idle after the answer", (m) => m.get("asker")?.state === "idle", 60_000);
    assert.ok(existsSync(join(wt("asker"), "asked.txt")), "the approved Bash call ran");
  });

  it("the research session's Write is refused and nothing is committed", async () => {
    const reqs = stub.mainRequests({ cwd: wt("reader") });
    assert.ok(reqs.length >= 2, "the agent got an answer for its Write attempt");
    assert.ok(!toolNames(reqs[0]!).includes("Write"), "Write is not even offered to a research session");
    const result = toolResults(reqs[1]!)[0];
    assert.equal(result?.isError, true, `the Write was refused: ${result?.text}`);
    assert.ok(!existsSync(join(wt("reader"), "evil.txt")));
    assert.equal(gitIn(sb, wt("reader"), "rev-list", "--count", "main..HEAD"), "0");
  });

  it("the headless session runs to done and the queued 5th implementation session starts", async () => {
    batchGate.open();
    const m = await until(
      "batch done, fifth idle",
      (x) => x.get("batch")?.state === "done" && x.get("fifth")?.state === "idle",
      90_000,
    );
    assert.equal(m.get("batch")?.exitCode, 0);
    assert.equal(m.get("fifth")?.queuePosition, null);
    // Idle comes from its Stop hook; the reply is on screen by then or a redraw later.
    await waitFor("the fifth session's reply on screen", () => /Fifth here\./.test(capture("fifth")), 10_000);
  });
});
