// Autonomy with the REAL Claude Code CLI in headless (-p) mode, against the model stub: the default
// (`edits`) lets the agent Write and commit in its worktree; `ask` gets every Write denied and status says so
// instead of a silent `done · exit 0`; `full` is refused before anything is created. The same run proves braid's
// cost matches Claude Code's own `total_cost_usd` (within 1%).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome } from "../helpers/claude.js";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, startModelStub } from "../helpers/model-stub.js";

interface View {
  name: string;
  state: string;
  detail: string | null;
  deniedToolCalls?: number | null;
  uncommittedFiles?: number | null;
  logPath?: string | null;
  costUsd: number | null;
}

describe("autonomy with the real Claude Code, headless", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  const wt = (name: string) => join(sb.root, `app-${name}`);
  const usage = {
    input_tokens: 1200,
    output_tokens: 80,
    cache_read_input_tokens: 3000,
    cache_creation_input_tokens: 500,
  };

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    stub = await startModelStub();
    env = { ...claudeEnv(sb, stub.url), PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}` };
    prepareClaudeHome(sb.home, { trustedPaths: ["writer", "asker"].map(wt) });
    stub.scriptForCwd(wt("writer"), [
      {
        text: "Writing it.",
        toolUse: { name: "Write", input: { file_path: join(wt("writer"), "hello.txt"), content: "hello\n" } },
        usage,
      },
      {
        toolUse: {
          name: "Bash",
          input: { command: 'git add hello.txt && git commit -q -m "add hello.txt"', description: "commit" },
        },
        usage: { ...usage, cache_read_input_tokens: 4200 },
      },
      { text: "Done: hello.txt committed.", usage: { input_tokens: 300, output_tokens: 20 } },
    ]);
    stub.scriptForCwd(wt("asker"), [
      { toolUse: { name: "Write", input: { file_path: join(wt("asker"), "no.txt"), content: "no\n" } } },
      { text: "I could not write it." },
    ]);
  });

  after(async () => {
    await stub.stop();
    sb.cleanup();
  });

  const run = (args: string[]) => braid(sb, repo, args, { env, timeoutMs: 120_000 });
  async function untilDone(name: string): Promise<View> {
    const deadline = Date.now() + 180_000;
    let last: View | undefined;
    while (Date.now() < deadline) {
      const r = await run(["status", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      last = (JSON.parse(r.stdout) as { sessions: View[] }).sessions.find((v) => v.name === name);
      if (last && ["done", "failed", "stopped"].includes(last.state)) return last;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${name} did not finish: ${JSON.stringify(last)}`);
  }

  it("edits (the default): the headless agent writes and commits its file, and status says nothing was denied", async () => {
    const r = await run(["start", "writer", "--headless", "create hello.txt and commit it"]);
    assert.equal(r.code, 0, r.stderr);
    const v = await untilDone("writer");
    assert.equal(v.state, "done", JSON.stringify(v));
    assert.equal(readFileSync(join(wt("writer"), "hello.txt"), "utf8"), "hello\n");
    assert.equal(gitIn(sb, wt("writer"), "log", "-1", "--format=%s"), "add hello.txt");
    assert.equal(v.deniedToolCalls, 0);
    assert.equal(v.uncommittedFiles, 0);
    assert.doesNotMatch(v.detail ?? "", /denied/);

    // Cost: braid's figure from the transcript against Claude Code's own total_cost_usd in the run's result.
    const log = readFileSync(v.logPath ?? "", "utf8")
      .trim()
      .split("\n");
    const result = JSON.parse(log.filter((l) => l.includes('"type":"result"')).at(-1) ?? "{}") as {
      total_cost_usd?: number;
    };
    assert.ok(typeof result.total_cost_usd === "number" && result.total_cost_usd > 0, "claude reported its cost");
    const c = await run(["cost", "--json"]);
    assert.equal(c.code, 0, c.stderr);
    const cost = JSON.parse(c.stdout) as {
      sessions: { session: string; costUsd: number | null }[];
      unpricedModels: [];
    };
    const mine = cost.sessions.find((s) => s.session === "writer")?.costUsd ?? null;
    assert.ok(mine !== null, `braid priced the run: ${c.stdout}`);
    const ratio = mine / (result.total_cost_usd as number);
    assert.ok(Math.abs(ratio - 1) < 0.01, `braid $${mine} vs claude $${result.total_cost_usd}`);
    assert.deepEqual(cost.unpricedModels, []);

    // Removed sessions keep their cost in the project ledger: the total still counts it.
    const rm = await run(["rm", "writer", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
    const after = JSON.parse((await run(["cost", "--json"])).stdout) as {
      sessions: { session: string }[];
      removed: { sessions: { session: string; costUsd: number }[]; costUsd: number };
      total: { costUsd: number };
    };
    assert.ok(!after.sessions.some((s) => s.session === "writer"));
    assert.deepEqual(
      after.removed.sessions.map((s) => [s.session, s.costUsd]),
      [["writer", mine]],
    );
    assert.equal(after.total.costUsd, mine);
  });

  it("ask: the Write is denied, and status says `1 tool call denied` instead of a silent success", async () => {
    const r = await run(["start", "asker", "--headless", "--autonomy", "ask", "create no.txt"]);
    assert.equal(r.code, 0, r.stderr);
    const v = await untilDone("asker");
    assert.equal(v.state, "done");
    assert.ok(!existsSync(join(wt("asker"), "no.txt")));
    assert.equal(v.deniedToolCalls, 1);
    assert.match(v.detail ?? "", /1 tool call denied/);
    const table = await run(["status"]);
    assert.match(table.stdout, /1 tool call denied/);
  });

  it("full: refused with a one-line error naming the sandbox, before a worktree exists", async () => {
    const r = await run(["start", "wild", "--headless", "--autonomy", "full", "do anything"]);
    assert.equal(r.code, 1);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /--sandbox/);
    assert.ok(!existsSync(wt("wild")));
    const bad = await run(["start", "wild", "--autonomy", "yolo", "x"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown autonomy "yolo".*ask, edits, full/);
  });
});
