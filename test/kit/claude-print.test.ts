// The kit against the REAL Claude Code CLI in print mode: scripted tool calls run, hooks fire.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  claudeAvailable,
  claudeEnv,
  hookSettings,
  prepareClaudeHome,
  runClaude,
  transcriptPath,
} from "../helpers/claude.js";
import { makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, startModelStub, toolResults } from "../helpers/model-stub.js";

describe("real claude -p against the model stub", { skip: !claudeAvailable() && "claude not installed" }, () => {
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

  it("runs a scripted Write tool call that creates a file, and sends its tool_result back", async (t) => {
    const dir = join(sb.root, "write");
    mkdirSync(dir);
    const target = join(dir, "hello.txt");
    stub.scriptForCwd(dir, [
      { text: "Creating it.", toolUse: { name: "Write", input: { file_path: target, content: "hello from stub\n" } } },
      { text: "Created hello.txt." },
    ]);
    const r = await runClaude(dir, claudeEnv(sb, stub.url), ["-p", "create hello.txt", "--allowedTools", "Write"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "Created hello.txt.");
    assert.equal(readFileSync(target, "utf8"), "hello from stub\n");
    const reqs = stub.mainRequests({ cwd: dir });
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0]!.body.stream, true);
    const results = toolResults(reqs[1]!);
    assert.equal(results.length, 1);
    assert.equal(results[0]!.isError, false);
    t.diagnostic(`claude -p round trip with one tool call: ${r.ms} ms`);
  });

  it("fires hooks given with --settings, each with the event's JSON on stdin", async () => {
    const dir = join(sb.root, "hooks_v1.2");
    mkdirSync(dir);
    const log = join(sb.root, "hooks.jsonl");
    const hook = join(sb.root, "hook.sh");
    writeFileSync(hook, '#!/bin/sh\n{ cat; echo; } >> "$1"\n');
    chmodSync(hook, 0o755);
    // Keyed by a marker in the prompt (not the cwd), to prove marker routing on the real CLI.
    stub.scriptForMarker("[[hooks-run]]", [
      { toolUse: { name: "Bash", input: { command: "echo ran > ran.txt", description: "write ran.txt" } } },
      { text: "done" },
    ]);
    const sessionId = randomUUID();
    const events = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"];
    const settings = hookSettings(events, () => `'${hook}' '${log}'`);
    const r = await runClaude(dir, claudeEnv(sb, stub.url), [
      "-p",
      "run it [[hooks-run]]",
      "--allowedTools",
      "Bash",
      "--session-id",
      sessionId,
      "--settings",
      settings,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, "ran.txt")), "the Bash tool call ran");
    const records = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((x) => x.hook_event_name),
      events,
    );
    for (const rec of records) {
      assert.equal(rec.session_id, sessionId);
      assert.equal(rec.cwd, dir);
      assert.equal(rec.transcript_path, transcriptPath(sb.home, dir, sessionId));
    }
    const transcript = readFileSync(transcriptPath(sb.home, dir, sessionId), "utf8");
    assert.match(transcript, /"usage"/, "the transcript records token usage");
    const pre = records.find((x) => x.hook_event_name === "PreToolUse");
    assert.equal(pre.tool_name, "Bash");
    assert.equal(pre.tool_input.command, "echo ran > ran.txt");
    assert.equal(records.find((x) => x.hook_event_name === "UserPromptSubmit").prompt, "run it [[hooks-run]]");
    assert.equal(stub.mainRequests({ script: "[[hooks-run]]" }).length, 2);
  });
});
