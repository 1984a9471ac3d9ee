/**
 * End to end with the real Claude Code CLI and braid's real hooks (`braid hook <event>` via the
 * `--settings` braid launches Claude with): session B's interactive agent gets the project memory at
 * start; session A's agent posts a note with the one-line command braid told it; B's agent sees that
 * note in the model request of its very next prompt, and only once. Only that prompt starts braid: the others,
 * and every finished turn, are settled by the hooks' shell (a logging stand-in for node counts braid's processes).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braidBin, claudeHookSettings } from "../../src/agents/claude.js";
import { readLive } from "../../src/session/live.js";
import {
  CLAUDE_BIN,
  claudeAvailable,
  claudeEnv,
  prepareClaudeHome,
  runClaude,
  TmuxTestServer,
} from "../helpers/claude.js";
import { BRAID_BIN, braid, makeRepo, makeSandbox, type Sandbox, waitFor } from "../helpers/env.js";
import { type ModelStub, requestContains, startModelStub } from "../helpers/model-stub.js";

const NOTE = "Payments API ready at /api/pay/v2";

describe("notes reach a real Claude Code agent", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let stub: ModelStub;
  let tmux: TmuxTestServer;
  let repo: string;
  let authWt: string;
  let apiWt: string;

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    for (const n of ["auth", "api"]) assert.equal((await braid(sb, repo, ["new", n])).code, 0);
    authWt = join(sb.root, "app-auth");
    apiWt = join(sb.root, "app-api");
    stub = await startModelStub();
    prepareClaudeHome(sb.home, { trustedPaths: [repo, authWt, apiWt] });
    tmux = new TmuxTestServer(sb, "coord");
  });
  after(async () => {
    await tmux?.kill();
    await stub?.stop();
    sb.cleanup();
  });

  const stateDir = () => join(repo, ".git", "braid");
  /** What braid puts into a session agent's environment (session/launch.ts agentEnv). */
  const hookEnv = async (session: string) => ({
    ...claudeEnv(sb, stub.url),
    BRAID_SESSION: session,
    BRAID_STATE_DIR: stateDir(),
    BRAID_RUN_ID: `run-${session}`,
    BRAID_SESSION_TYPE: "implementation",
    BRAID_MAIN_WORKTREE: repo,
    BRAID_NOTES_FILE: JSON.parse((await braid(sb, repo, ["notes", "--json"])).stdout).path,
    BRAID_GLOBAL_CONFIG: join(sb.home, ".config", "braid", "config.toml"),
  });

  it("memory at SessionStart; A's note arrives with B's next prompt", async (t) => {
    const learned = await braid(sb, authWt, ["learn", "Always run npm test before committing", "--section", "Gotchas"]);
    assert.equal(learned.code, 0, learned.stderr);

    // B: an interactive Claude in tmux, started the way braid starts it (its hooks via --settings).
    stub.scriptForCwd(apiWt, [{ text: "first reply" }, { text: "second reply" }, { text: "third reply" }]);
    // node as B's hooks run it, logging each braid hook process's event first
    const calls = join(sb.root, "api-hooks.log");
    const node = join(sb.root, "node-logged");
    writeFileSync(node, `#!/bin/sh\necho "$2" >> '${calls}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(node, 0o755);
    const braidHooks = () => readFileSync(calls, "utf8").trim().split("\n");
    const pane = tmux.newSession(
      "api",
      apiWt,
      [CLAUDE_BIN, "--session-id", randomUUID(), "--settings", claudeHookSettings(node, braidBin())],
      { env: await hookEnv("api") },
    );
    await tmux.waitForScreen(pane, /\? for shortcuts/, 90_000);
    tmux.sendText(pane, "first prompt [[p1]]", true);
    const first = await stub.waitForRequest((r) => r.cwd === apiWt && requestContains(r, "[[p1]]"), 90_000);
    assert.ok(requestContains(first, "Always run npm test before committing"), "memory given at SessionStart");
    assert.ok(requestContains(first, /braid\.js'? note "/), "the agent is told how to post a note");
    assert.ok(!requestContains(first, NOTE), "nothing posted yet");
    await tmux.waitForScreen(pane, /first reply/, 60_000);

    // A: its agent posts the note itself, with the command from its start-up context.
    stub.scriptForCwd(authWt, [
      {
        toolUse: {
          name: "Bash",
          input: { command: `node ${BRAID_BIN} note "${NOTE}"`, description: "tell the other sessions" },
        },
      },
      { text: "posted" },
    ]);
    const a = await runClaude(authWt, await hookEnv("auth"), ["-p", "announce the API", "--allowedTools", "Bash"], {
      timeoutMs: 180_000,
    });
    assert.equal(a.code, 0, a.stderr);
    const notes = JSON.parse((await braid(sb, repo, ["notes", "--json"])).stdout).notes;
    assert.deepEqual(
      notes.map((n: { from: string; text: string }) => `${n.from}: ${n.text}`),
      [`auth: ${NOTE}`],
      "posted once, authored by the session whose worktree the agent works in",
    );
    const status = await braid(sb, repo, ["notes", "--unread", "--for", "api", "--json"]);
    assert.equal(JSON.parse(status.stdout).notes.length, 1, "unread for B until its next prompt");

    // B's next prompt carries the note (UserPromptSubmit → additionalContext).
    tmux.sendText(pane, "second prompt [[p2]]", true);
    const second = await stub.waitForRequest((r) => r.cwd === apiWt && requestContains(r, "[[p2]]"), 90_000);
    assert.ok(requestContains(second, NOTE), "the note is in B's request");
    assert.ok(requestContains(second, "from auth"), "with its author");
    const after = await braid(sb, repo, ["notes", "--unread", "--for", "api", "--json"]);
    assert.deepEqual(JSON.parse(after.stdout).notes, [], "and is marked read");
    await tmux.waitForScreen(pane, /second reply/, 60_000);

    // B's third prompt: nothing new, so its hook's shell answers without braid; the turn's end likewise.
    tmux.sendText(pane, "third prompt [[p3]]", true);
    await tmux.waitForScreen(pane, /third reply/, 90_000);
    const live = await waitFor("B idle after its third turn", () => {
      const l = readLive(stateDir(), "api");
      return l?.state === "idle" && l.event === "Stop" ? l : null;
    });
    assert.equal(live.detail, "turn finished");
    assert.deepEqual(
      braidHooks().filter((e) => e === "UserPromptSubmit" || e === "Stop"),
      ["UserPromptSubmit"],
      `braid ran for the prompt with a note waiting only: ${braidHooks()}`,
    );
    assert.equal(braidHooks()[0], "SessionStart");
    t.diagnostic(`A's claude -p run: ${a.ms} ms`);
  });
});
