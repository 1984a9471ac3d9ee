// braid's hook settings with the REAL Claude Code CLI: PreToolUse starts braid only for the tools it
// inspects (write tools, questions), PostToolUse is a bare `touch` (no braid process), so are a prompt with no
// note waiting and a turn's end without notifications, and the ownership guard still answers for an Edit/Write. A logging stand-in for `node` records every braid hook process.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braidBin, claudeHookSettings } from "../../src/agents/claude.js";
import { type LiveState, readLive, withMarkedEvents } from "../../src/session/live.js";
import { claudeAvailable, claudeEnv, prepareClaudeHome, runClaude } from "../helpers/claude.js";
import { makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, startModelStub, toolResults } from "../helpers/model-stub.js";

/** A live state recorded at 00:00:01 by `event`. */
const recorded = (state: LiveState["state"], detail: string, event: string): LiveState => ({
  runId: "r",
  state,
  detail,
  since: "2026-01-01T00:00:00.000Z",
  at: "2026-01-01T00:00:01.000Z",
  event,
  conversationId: "c",
  transcriptPath: null,
});

describe("hook matchers", () => {
  it("a waiting state gives way to activity recorded after it, and only then", () => {
    const live = recorded("waiting", "permission prompt: Bash", "PermissionRequest");
    const t = Date.parse(live.at);
    const activity = (atMs: number) => withMarkedEvents(live, [{ event: "PostToolUse", atMs }]);
    assert.equal(withMarkedEvents(live, []).state, "waiting");
    assert.equal(activity(t - 5).state, "waiting", "older activity says nothing");
    assert.equal(activity(t + 0.5).state, "waiting", "nor activity within the recorded event's millisecond");
    const after = activity(t + 5);
    assert.deepEqual([after.state, after.detail, after.since], ["working", "thinking", new Date(t + 5).toISOString()]);
    const idle = { ...live, state: "idle" as const };
    assert.equal(
      withMarkedEvents(idle, [{ event: "PostToolUse", atMs: t + 5 }]).state,
      "idle",
      "only waiting is lifted",
    );
  });

  it("prompt and stop marks newer than the live state apply in time order, as their hooks would", () => {
    const idle = recorded("idle", "ready", "SessionStart");
    const t = Date.parse(idle.at);
    const prompt = withMarkedEvents(idle, [{ event: "UserPromptSubmit", atMs: t + 10 }]);
    assert.deepEqual([prompt.state, prompt.detail, prompt.event], ["working", "thinking", "UserPromptSubmit"]);
    assert.equal(prompt.since, new Date(t + 10).toISOString());
    assert.equal(prompt.conversationId, "c", "what the marks do not say is kept");
    // a whole turn: prompt, a tool ended a permission wait... then Stop; given in any order
    const turn = withMarkedEvents(idle, [
      { event: "Stop", atMs: t + 30 },
      { event: "UserPromptSubmit", atMs: t + 10 },
      { event: "PostToolUse", atMs: t + 20 },
    ]);
    assert.deepEqual(
      [turn.state, turn.detail, turn.event, turn.at],
      ["idle", "turn finished", "Stop", new Date(t + 30).toISOString()],
    );
    // a prompt after the stop: working again
    const next = withMarkedEvents(idle, [
      { event: "Stop", atMs: t + 30 },
      { event: "UserPromptSubmit", atMs: t + 40 },
    ]);
    assert.equal(next.state, "working");
    // equal times (a coarse clock): in the order of a turn
    const same = withMarkedEvents(idle, [
      { event: "Stop", atMs: t + 50 },
      { event: "UserPromptSubmit", atMs: t + 50 },
    ]);
    assert.equal(same.state, "idle");
    // marks older than the recorded event are history
    const done = { ...idle, state: "done" as const, event: "SessionEnd", at: new Date(t + 100).toISOString() };
    assert.equal(withMarkedEvents(done, [{ event: "Stop", atMs: t + 60 }]).state, "done");
  });

  it("PreToolUse runs braid only for inspected tools; PostToolUse is a shell touch", () => {
    const s = JSON.parse(claudeHookSettings("/x/node-bin", "/x/braid-bin")).hooks;
    const groups = s.PreToolUse as Array<{ matcher: string; hooks: Array<{ command: string }> }>;
    assert.deepEqual(
      groups.map((g) => g.matcher),
      ["Edit", "Write", "MultiEdit", "NotebookEdit", "AskUserQuestion"],
      "plain names: each matches its tool exactly",
    );
    for (const g of groups)
      assert.match(g.hooks[0]?.command ?? "", /'PreToolUse'$/, "braid's hook when the shell cannot settle it");
    assert.match(groups[0]?.hooks[0]?.command ?? "", /printf '%s\n' 'Edit'/, "the Edit group's shell records Edit");
    assert.doesNotMatch(s.PostToolUse[0].hooks[0].command, /node-bin|braid-bin/);
    assert.match(s.PostToolUse[0].hooks[0].command, /touch -- "\$BRAID_STATE_DIR\/run\/\$BRAID_SESSION\/activity"/);
  });
});

describe("hook matchers with the real Claude Code", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let stub: ModelStub;
  before(async () => {
    sb = makeSandbox();
    stub = await startModelStub();
    prepareClaudeHome(sb.home);
  });
  after(async () => {
    await stub.stop();
    sb.cleanup();
  });

  it("a Bash call starts no braid process, a research Write is denied by the shell, and the tool run is recorded", async () => {
    const dir = join(sb.root, "work");
    const stateDir = join(sb.root, "state");
    mkdirSync(dir);
    mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
    // Stands in for node in the hook commands (node hook.cjs EVENT): logs which event ran, then runs the real one.
    const calls = join(sb.root, "braid-hooks.log");
    const node = join(sb.root, "node-logged");
    writeFileSync(node, `#!/bin/sh\necho "$2" >> '${calls}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(node, 0o755);
    stub.scriptForCwd(dir, [
      { toolUse: { name: "Bash", input: { command: "echo ran > bash.txt", description: "write a file" } } },
      { toolUse: { name: "Write", input: { file_path: join(dir, "evil.txt"), content: "no\n" } } },
      { text: "Done." },
    ]);
    const env = {
      ...claudeEnv(sb, stub.url),
      BRAID_SESSION: "s1",
      BRAID_STATE_DIR: stateDir,
      BRAID_RUN_ID: "r1",
      BRAID_SESSION_TYPE: "research",
      // as braid launches it (session/launch.ts agentEnv): no notes, no notify key anywhere
      BRAID_MAIN_WORKTREE: dir,
      BRAID_NOTES_FILE: join(sb.root, "notes.md"),
      BRAID_GLOBAL_CONFIG: join(sb.root, "config.toml"),
    };
    const settings = claudeHookSettings(node, braidBin());
    const r = await runClaude(dir, env, ["-p", "go", "--allowedTools", "Bash", "Write", "--settings", settings]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "bash.txt"), "utf8"), "ran\n", "the Bash call ran");
    assert.ok(!existsSync(join(dir, "evil.txt")), "braid's PreToolUse hook (its shell) denied the research Write");
    const writeResult = toolResults(stub.mainRequests({ cwd: dir })[2]!)[0];
    assert.match(writeResult?.text ?? "", /read-only research session/);
    const events = readFileSync(calls, "utf8").trim().split("\n");
    assert.ok(!events.includes("PreToolUse"), `the research Write's denial is the shell's: ${events}`);
    assert.ok(!events.includes("PostToolUse"), `PostToolUse never starts braid: ${events}`);
    assert.ok(
      !events.includes("UserPromptSubmit") && !events.includes("Stop"),
      `prompt and stop: the shell's: ${events}`,
    );
    assert.deepEqual(events, ["SessionStart"], `only the session's start reaches braid: ${events}`);
    for (const mark of ["prompt", "tool", "stop", "end"])
      assert.ok(existsSync(join(stateDir, "run", "s1", mark)), `${mark} marked`);
    const touched = statSync(join(stateDir, "run", "s1", "activity")).mtimeMs;
    assert.ok(touched > 0, "the PostToolUse touch ran");
    assert.equal(readLive(stateDir, "s1")?.state, "done", "Stop and SessionEnd came after the tools");
  });
});
