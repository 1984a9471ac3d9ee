/**
 * End to end with the real Claude Code in a private tmux server, against the scripted model stub: a session
 * whose latest response filled 90% of the context window is flagged in `status`, `status --json` and the
 * board's data; `braid refresh` saves its learnings and starts a fresh conversation (a new conversation id,
 * no resume) whose first prompt hands the work over: task, commits, notes, last message, what is left.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome, TmuxTestServer } from "../helpers/claude.js";
import { braid, commitIn, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, promptOf, startModelStub } from "../helpers/model-stub.js";

interface View {
  name: string;
  state: string;
  conversationId?: string | null;
  contextUsed?: number | null;
  contextWindow?: number | null;
  contextPercent?: number | null;
}

describe("context window and braid refresh (real Claude)", {
  skip: !claudeAvailable() && "claude not installed",
}, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let server: TmuxTestServer;
  let env: NodeJS.ProcessEnv;
  const wt = () => join(sb.root, "app-parser");

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app", { "README.md": "# app\n" });
    stub = await startModelStub();
    server = new TmuxTestServer(sb, "refresh");
    env = {
      ...claudeEnv(sb, stub.url),
      PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`,
      BRAID_TMUX_SOCKET: server.socket,
    };
    prepareClaudeHome(sb.home, { trustedPaths: [wt()] });
    // The first conversation: 900k of the default model's 1M window, with a learning in its answer.
    stub.scriptForMarker("[[parser]]", [
      {
        text: "Tokenizer done.\nGotcha: the tokenizer must skip BOMs\nNext I would write the AST.",
        usage: {
          input_tokens: 2_000,
          cache_read_input_tokens: 880_000,
          cache_creation_input_tokens: 18_000,
          output_tokens: 300,
        },
      },
    ]);
  });

  after(async () => {
    await server.kill();
    await stub.stop();
    sb.cleanup();
  });

  const run = (args: string[]) => braid(sb, repo, args, { env, timeoutMs: 90_000 });
  const view = async (): Promise<View> => {
    const r = await run(["status", "parser", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { sessions: View[] }).sessions[0] as View;
  };
  async function until(what: string, pred: (v: View) => boolean, ms = 120_000): Promise<View> {
    const deadline = Date.now() + ms;
    let last: View | null = null;
    while (Date.now() < deadline) {
      last = await view();
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
  }

  it("flags a nearly full window, then refresh hands over to a fresh conversation", async () => {
    const started = await run(["start", "parser", "[[parser]] write the parser: tokenizer, then AST"]);
    assert.equal(started.code, 0, started.stderr);
    const full = await until("the first answer", (v) => v.state === "idle" && typeof v.contextPercent === "number");
    assert.equal(full.contextUsed, 900_000);
    assert.equal(full.contextWindow, 1_000_000, "Claude Code 2.1.197's default model runs with the 1M window");
    assert.equal(full.contextPercent, 90);
    const oldConversation = full.conversationId;
    assert.ok(oldConversation, "the hooks reported the conversation");
    const table = await run(["status"]);
    assert.match(table.stdout, /CONTEXT/);
    assert.match(table.stdout, /⚠ 90% \(braid refresh parser\)/);

    // what the hand-off must report as done: a commit and a note from the session
    commitIn(sb, wt(), { "src/tokenizer.ts": "export const t = 1;\n" }, "tokenizer: skip BOMs");
    assert.equal((await run(["note", "tokenizer API ready", "--from", "parser"])).code, 0);

    const mark = stub.requests.length;
    const r = await run(["refresh", "parser", "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout);
    assert.equal(out.previousConversation, oldConversation);
    assert.deepEqual(
      out.learned.added.map((a: { text: string }) => a.text),
      ["the tokenizer must skip BOMs"],
    );
    const memory = await run(["memory"]);
    assert.match(memory.stdout, /the tokenizer must skip BOMs/, "the learning is in the project memory");

    const req = await stub.waitForRequest(
      (q) => q.seq > mark && q.kind === "main" && q.cwd === wt() && promptOf(q).includes("taking over"),
      120_000,
    );
    const prompt = promptOf(req);
    for (const part of [
      "write the parser: tokenizer, then AST",
      "tokenizer: skip BOMs",
      "tokenizer API ready",
      "Next I would write the AST.",
      "What is left",
    ])
      assert.ok(prompt.includes(part), `hand-off mentions ${part}:\n${prompt}`);
    // a fresh conversation: nothing of the old one is replayed (resuming would send its turns again)
    const roles = (req.body.messages as Array<{ role: string }>).map((m) => m.role);
    assert.ok(!roles.includes("assistant"), `the hand-off opens the conversation: ${roles}`);

    const fresh = await until(
      "the fresh conversation",
      (v) => v.state === "idle" && Boolean(v.conversationId) && v.conversationId !== oldConversation,
    );
    assert.ok(
      (fresh.contextPercent ?? 100) < 85,
      `the fresh conversation's window is nearly empty: ${fresh.contextPercent}`,
    );
    const freshLog = readFileSync(
      join(sb.home, ".claude", "projects", wt().replace(/[^A-Za-z0-9]/g, "-"), `${fresh.conversationId}.jsonl`),
      "utf8",
    );
    assert.match(freshLog, /taking over braid session/);
  });

  it("refuses bad input with one-line errors", async () => {
    const r = await run(["refresh", "nope"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no session named "nope"/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.equal((await run(["new", "fresh"])).code, 0);
    const n = await run(["refresh", "fresh"]);
    assert.match(n.stderr, /never started/);
  });
});
