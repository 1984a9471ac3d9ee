/** One-shot agent invocation with custom agent commands (no model needed): result, JSON, timeout, exit codes, log. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { claudeAdapter } from "../../src/agents/claude.js";
import { invokeAgent } from "../../src/agents/invoke.js";

const dir = mkdtempSync(join(tmpdir(), "braid-invoke-"));
const node = process.execPath;
/** A custom agent: node running `code` with the prompt as its last argument. */
const agent = (code: string) => ({ bot: { command: [node, "-e", code] } });

describe("invokeAgent with a custom agent command", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("passes the prompt (and the schema) as the last argument and parses JSON from the answer", async () => {
    const log = join(dir, "bot.log");
    const r = await invokeAgent({
      agent: "bot",
      agents: agent(
        "const p = process.argv.at(-1); console.log('thinking...'); console.log(JSON.stringify({ echoed: p.split('\\n')[0], schema: p.includes('JSON schema') }))",
      ),
      prompt: "hello; $(rm -rf /) `x`",
      cwd: dir,
      jsonSchema: { type: "object" },
      logFile: log,
    });
    assert.equal(r.ok, true, r.error ?? "");
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.output, { echoed: "hello; $(rm -rf /) `x`", schema: true }, "no shell ever sees the prompt");
    assert.match(readFileSync(log, "utf8"), /--- exit 0/);
  });

  it("reports a non-zero exit with the agent's last words", async () => {
    const r = await invokeAgent({
      agent: "bot",
      agents: agent("console.error('model overloaded'); process.exit(3)"),
      prompt: "x",
      cwd: dir,
    });
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 3);
    assert.match(r.error ?? "", /exit 3: model overloaded/);
  });

  it("kills an agent that runs past its timeout, with the tools it started", async () => {
    const started = Date.now();
    const r = await invokeAgent({
      agent: "bot",
      agents: agent(
        "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 60000)'], {stdio: 'inherit'}); setTimeout(() => {}, 60000)",
      ),
      prompt: "x",
      cwd: dir,
      timeoutMs: 500,
    });
    assert.equal(r.timedOut, true);
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /timed out/);
    assert.ok(Date.now() - started < 10_000, "the grandchild holding stdout was killed too");
  });

  it("says which command is missing, and refuses an unknown agent", async () => {
    const r = await invokeAgent({
      agent: "bot",
      agents: { bot: { command: ["braid-no-such-agent"] } },
      prompt: "x",
      cwd: dir,
    });
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /agent command not found: braid-no-such-agent/);
    await assert.rejects(invokeAgent({ agent: "nobody", prompt: "x", cwd: dir }), /unknown agent "nobody"/);
  });
});

describe("claude launch for a fork session", () => {
  it("branches off the parent conversation with its own session id", () => {
    const launch = claudeAdapter(["claude"]).build({
      prompt: "",
      headless: false,
      resume: false,
      readOnly: true,
      conversationId: "22222222-2222-4222-8222-222222222222",
      forkFrom: "11111111-1111-4111-8111-111111111111",
    });
    const a = launch.argv.join(" ");
    assert.match(a, /--resume 11111111-1111-4111-8111-111111111111 --fork-session --session-id 22222222/);
    assert.match(a, /--disallowedTools \S*Write/, "a fork is read-only");
    assert.equal(launch.conversationId, "22222222-2222-4222-8222-222222222222");
  });
});
