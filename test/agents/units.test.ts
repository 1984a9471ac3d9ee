// One unit per agent: interactive and one-shot argv from the same unit, BRAID_CLAUDE_BIN for both, one
// "unknown agent" error, a detector and a transcript reader per unit, tool lists per use.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { claudeToolArgs, FILE_EDIT_TOOLS } from "../../src/agents/claude/tools.js";
import { detectScreenState, resolveAgent, usageReaderFor } from "../../src/agents/index.js";
import { invokeAgent, requireAgentProgram } from "../../src/agents/invoke.js";
import { isBraidError } from "../../src/infra/errors.js";

const none = { agents: {} };
const session = {
  prompt: "do it",
  headless: false,
  resume: false,
  readOnly: false,
  conversationId: "11111111-2222-3333-4444-555555555555",
};
const once = { prompt: "answer", tools: "read-only" as const, autonomy: "ask" as const };

describe("agent units", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.BRAID_CLAUDE_BIN;
    delete process.env.BRAID_CLAUDE_BIN;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.BRAID_CLAUDE_BIN;
    else process.env.BRAID_CLAUDE_BIN = saved;
  });

  it("BRAID_CLAUDE_BIN picks the Claude binary for sessions and one-shot runs alike; agents.claude.command wins", () => {
    process.env.BRAID_CLAUDE_BIN = "/opt/claude/bin/claude";
    const claude = resolveAgent(none, "claude");
    assert.equal(claude.build(session).argv[0], "/opt/claude/bin/claude");
    assert.equal(claude.oneShot(once).argv[0], "/opt/claude/bin/claude");
    const configured = resolveAgent({ agents: { claude: { command: ["my-claude"] } } }, "claude");
    assert.equal(configured.build(session).argv[0], "my-claude");
    assert.equal(configured.oneShot(once).argv[0], "my-claude");
    delete process.env.BRAID_CLAUDE_BIN;
    assert.equal(resolveAgent(none, "claude").build(session).argv[0], "claude");
  });

  it("one-shot argv per agent: Claude reads the prompt from stdin, the others take it as the last argument", () => {
    const c = resolveAgent(none, "claude").oneShot({ ...once, jsonSchema: { type: "object" } });
    assert.deepEqual(c.argv.slice(0, 6), [
      "claude",
      "-p",
      "--output-format",
      "json",
      "--json-schema",
      '{"type":"object"}',
    ]);
    assert.equal(c.stdin, "answer");
    assert.equal(c.promptInArgv, false);
    assert.equal(c.output, "claude-json");
    assert.deepEqual(resolveAgent(none, "codex").oneShot(once).argv, ["codex", "exec", "answer"]);
    assert.deepEqual(resolveAgent(none, "gemini").oneShot(once).argv, ["gemini", "-p", "answer"]);
    assert.deepEqual(resolveAgent(none, "aider").oneShot(once).argv, ["aider", "--yes-always", "--message", "answer"]);
    const mine = resolveAgent({ agents: { mine: { command: ["my-agent", "-q"] } } }, "mine").oneShot({
      ...once,
      jsonSchema: { type: "array" },
    });
    assert.deepEqual(mine.argv.slice(0, 2), ["my-agent", "-q"]);
    assert.match(
      mine.argv[2] ?? "",
      /^answer\n\nAnswer with only a JSON value matching this JSON schema:\n\{"type":"array"\}$/,
    );
    assert.equal(mine.promptInArgv, true);
  });

  it("Claude's tools per use: research sessions are denied file edits, read-only one-shot runs get only readers", () => {
    assert.deepEqual(claudeToolArgs({ run: "session", readOnly: true, autonomy: "full" }), [
      "--permission-mode",
      "plan",
      "--disallowedTools",
      FILE_EDIT_TOOLS.join(","),
    ]);
    const ro = claudeToolArgs({ run: "one-shot", access: "read-only", autonomy: "full" });
    assert.equal(ro[ro.indexOf("--allowedTools") + 1], "Read,Grep,Glob,LS");
    assert.ok(ro[ro.indexOf("--disallowedTools") + 1]?.split(",").includes("Bash"), "no shell for a read-only run");
    assert.ok(!ro.includes("--permission-mode"), "read-only ignores the autonomy level");
    const rw = claudeToolArgs({ run: "one-shot", access: "write", autonomy: "edits" });
    assert.ok(rw[rw.indexOf("--allowedTools") + 1]?.split(",").includes("Edit"));
    assert.equal(rw[rw.indexOf("--permission-mode") + 1], "acceptEdits");
  });

  it('"unknown agent" is one error, for sessions and one-shot runs alike', async () => {
    const unknown = (e: unknown) =>
      isBraidError(e) && /unknown agent "braid-no-such-agent-q"/.test(e.message) && /claude, codex/.test(e.fix ?? "");
    assert.throws(() => resolveAgent(none, "braid-no-such-agent-q"), unknown);
    assert.throws(() => requireAgentProgram("braid-no-such-agent-q"), unknown);
    await assert.rejects(invokeAgent({ agent: "braid-no-such-agent-q", prompt: "x", cwd: "/" }), unknown);
  });

  it("each unit brings its detector and transcript reader", () => {
    const idle = "╭──────╮\n│ >    │\n╰──────╯\n  ? for shortcuts";
    assert.equal(detectScreenState("braid-custom", idle), null, "a custom agent has no detector");
    assert.equal(resolveAgent({ agents: { bot: { command: ["bot"] } } }, "bot").detect, undefined);
    assert.ok(resolveAgent(none, "codex").detect, "codex is read from its screen");
    assert.ok(resolveAgent(none, "claude").usage, "Claude's transcripts are read for cost");
    assert.equal(usageReaderFor("codex"), null, "codex keeps no transcripts braid can read");
    assert.ok(usageReaderFor("my-claude-wrapper"), "a custom command is read as Claude Code");
  });
});
