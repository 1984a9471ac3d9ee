// Agent adapters: argv for every mode, braid's Claude hook settings, unknown/missing agents.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseAutonomy, requireAutonomyAllowed } from "../../src/agents/autonomy.js";
import { braidBin, CLAUDE_HOOK_EVENTS, claudeAdapter, claudeHookSettings } from "../../src/agents/claude.js";
import { requireAgentBinary, resolveAgent } from "../../src/agents/index.js";
import { isBraidError } from "../../src/infra/errors.js";
import { configSchema } from "../../src/project/config.js";

const req = {
  prompt: "do it",
  headless: false,
  resume: false,
  readOnly: false,
  conversationId: "11111111-2222-3333-4444-555555555555",
};

describe("claude adapter", () => {
  it("interactive: braid's session id, hook settings, prompt after `--`", () => {
    const { argv, conversationId, hooks } = claudeAdapter().build(req);
    assert.equal(argv[0], "claude");
    assert.deepEqual(argv.slice(1, 3), ["--session-id", req.conversationId]);
    assert.equal(conversationId, req.conversationId);
    assert.equal(hooks, true);
    assert.deepEqual(argv.slice(-2), ["--", "do it"]);
    assert.ok(!argv.includes("-p"));
  });

  it("headless: -p with stream-json output", () => {
    const { argv } = claudeAdapter().build({ ...req, headless: true });
    assert.deepEqual(argv.slice(1, 5), ["-p", "--output-format", "stream-json", "--verbose"]);
  });

  it("read-only: plan mode and write tools disallowed", () => {
    const { argv } = claudeAdapter().build({ ...req, readOnly: true });
    const i = argv.indexOf("--permission-mode");
    assert.equal(argv[i + 1], "plan");
    assert.equal(argv[argv.indexOf("--disallowedTools") + 1], "Edit,Write,MultiEdit,NotebookEdit");
    assert.ok(argv.indexOf("--disallowedTools") < argv.indexOf("--"), "the variadic flag cannot swallow the prompt");
  });

  it("autonomy: edits → acceptEdits + the git commands that commit; full → bypassPermissions; ask → none", () => {
    const edits = claudeAdapter().build({ ...req, autonomy: "edits" }).argv;
    assert.equal(edits[edits.indexOf("--permission-mode") + 1], "acceptEdits");
    assert.ok(edits.includes("Bash(git commit:*)"));
    assert.ok(edits.indexOf("--allowedTools") < edits.indexOf("--"), "the variadic flag cannot swallow the prompt");
    const full = claudeAdapter().build({ ...req, autonomy: "full" }).argv;
    assert.equal(full[full.indexOf("--permission-mode") + 1], "bypassPermissions");
    assert.ok(
      !claudeAdapter()
        .build({ ...req, autonomy: "ask" })
        .argv.includes("--permission-mode"),
    );
    // read-only wins over any level
    const ro = claudeAdapter().build({ ...req, readOnly: true, autonomy: "edits" }).argv;
    assert.equal(ro[ro.indexOf("--permission-mode") + 1], "plan");
    assert.equal(ro.filter((a) => a === "--permission-mode").length, 1);
  });

  it("autonomy full is refused outside the sandbox, naming --sandbox; allowed inside", () => {
    assert.throws(
      () => requireAutonomyAllowed("full", false),
      (e: unknown) => isBraidError(e) && /sandbox/.test(e.message) && /--sandbox/.test(e.fix ?? ""),
    );
    requireAutonomyAllowed("edits", false);
    requireAutonomyAllowed("full", true);
    assert.throws(() => parseAutonomy("yolo"), /unknown autonomy "yolo"/);
  });

  it("resume: --resume <previous id>, else --continue", () => {
    const a = claudeAdapter().build({ ...req, prompt: "", resume: true, previousConversationId: "prev-id" });
    assert.deepEqual(a.argv.slice(1, 3), ["--resume", "prev-id"]);
    assert.equal(a.conversationId, "prev-id");
    assert.ok(!a.argv.includes("--session-id"));
    const b = claudeAdapter().build({ ...req, prompt: "", resume: true });
    assert.ok(b.argv.includes("--continue"));
  });

  it("hook settings cover every event, each running the hook bundle by absolute node + bundle paths", () => {
    const s = JSON.parse(claudeHookSettings()) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    assert.deepEqual(Object.keys(s.hooks).sort(), [...CLAUDE_HOOK_EVENTS].sort());
    const bundle = join(dirname(braidBin()), "..", "dist", "bundle", "hook.cjs");
    for (const ev of CLAUDE_HOOK_EVENTS) {
      if (ev === "PostToolUse") continue; // a shell touch, no braid process (hook-matchers.test.ts)
      const cmd = s.hooks[ev]?.[0]?.hooks[0]?.command ?? "";
      const node = `'${process.execPath}' '${bundle}' '${ev}'`;
      // all but SessionStart: a shell first, braid's hook when it cannot settle it (hook-shell.test.ts)
      if (ev === "SessionStart") assert.equal(cmd, node);
      else assert.ok(cmd.endsWith(`; exec ${node}`), cmd);
    }
    assert.ok(existsSync(bundle), "the bundle hooks run exists");
  });

  it("without a built hook bundle, hooks run `braid hook`; paths with single quotes are quoted safely", () => {
    const s = claudeHookSettings("/opt/it's node", "/b in/braid.js");
    assert.match(s, /'\/opt\/it'\\\\''s node' '\/b in\/braid\.js' 'hook' 'Stop'/);
  });
});

describe("agent resolution", () => {
  const config = configSchema.parse({ agents: { mine: { command: ["my-agent", "--flag"] } } });

  it("built-ins and configured custom agents", () => {
    assert.equal(
      resolveAgent(config, "codex")
        .build({ ...req, headless: true })
        .argv.join(" "),
      "codex exec -- do it",
    );
    assert.deepEqual(resolveAgent(config, "gemini").build(req).argv, ["gemini", "--prompt-interactive", "do it"]);
    assert.deepEqual(resolveAgent(config, "aider").build({ ...req, headless: true }).argv, [
      "aider",
      "--yes-always",
      "--message",
      "do it",
    ]);
    assert.deepEqual(resolveAgent(config, "mine").build(req).argv, ["my-agent", "--flag", "do it"]);
  });

  it("unknown agent: one-line error listing the known ones", () => {
    assert.throws(
      () => resolveAgent(config, "no-such-agent-xyz"),
      (e: unknown) =>
        isBraidError(e) && /unknown agent "no-such-agent-xyz"/.test(e.message) && /mine/.test(e.fix ?? ""),
    );
  });

  it("missing binary: names the command and how to install it", () => {
    assert.throws(
      () => requireAgentBinary(resolveAgent(config, "codex"), "/nonexistent"),
      (e: unknown) => isBraidError(e) && /`codex`/.test(e.message) && /npm install -g @openai\/codex/.test(e.fix ?? ""),
    );
  });
});
