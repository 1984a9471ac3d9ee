// The kit against the REAL interactive Claude Code in a private tmux server: no set-up screens, a delayed
// reply holds it working, a Bash call without permission waits on the permission prompt.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { detectScreenState } from "../../src/agents/index.js";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome, TmuxTestServer } from "../helpers/claude.js";
import { makeSandbox, type Sandbox } from "../helpers/env.js";
import { gate, type ModelStub, startModelStub, toolResults } from "../helpers/model-stub.js";

const IDLE = /\? for shortcuts/;

describe("real interactive claude in tmux", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let stub: ModelStub;
  let tmux: TmuxTestServer;
  before(async () => {
    sb = makeSandbox();
    stub = await startModelStub();
    tmux = new TmuxTestServer(sb, "kit");
    // Trust every folder before any Claude runs: a running Claude rewrites ~/.claude.json and would drop a
    // trust entry added while it runs (seen: "perm" stuck on the trust dialog after "hello" had started).
    prepareClaudeHome(sb.home, { trustedPaths: ["hello", "perm"].map((n) => join(sb.root, n)) });
  });
  after(async () => {
    await tmux.kill();
    await stub.stop();
    sb.cleanup();
  });

  /** A folder trusted in before(). */
  function workdir(name: string): string {
    const dir = join(sb.root, name);
    mkdirSync(dir);
    return dir;
  }

  it("runs the first prompt and reaches the idle prompt without any set-up screen", async () => {
    const dir = workdir("hello");
    stub.scriptForCwd(dir, [{ text: "Hi from the stub." }]);
    const pane = tmux.newSession("hello", dir, [CLAUDE_BIN, "say hi"], { env: claudeEnv(sb, stub.url) });
    const screen = await tmux.waitForScreen(pane, /Hi from the stub\./, 60_000);
    assert.doesNotMatch(screen, /trust this folder|Detected a custom API key|Choose the text style|Unable to connect/i);
    const idle = await tmux.waitForScreen(pane, IDLE, 30_000);
    assert.equal(stub.mainRequests({ cwd: dir }).length, 1);
    assert.deepEqual(detectScreenState("claude", idle), { state: "idle" });
  });

  it("shows working while a reply is delayed, then waits on a permission prompt for an unapproved Bash call", async () => {
    const dir = workdir("perm");
    const hold = gate();
    stub.scriptForCwd(dir, [
      {
        holdUntil: hold.promise,
        text: "Running it.",
        toolUse: { name: "Bash", input: { command: "echo ok > bash.txt", description: "Write bash.txt" } },
      },
      { text: "All done." },
    ]);
    const pane = tmux.newSession("perm", dir, [CLAUDE_BIN, "run the command"], { env: claudeEnv(sb, stub.url) });
    // Generous: under a full parallel test run Claude's interactive start-up has been seen to take over 60 s.
    // On a timeout, show what Claude's screen says instead of only the stub's count.
    const held = await stub
      .waitForRequest((r) => r.kind === "main" && r.cwd === dir, 120_000)
      .catch((e: Error) => {
        throw new Error(`${e.message}; the pane shows:\n${tmux.capture(pane)}`);
      });
    const working = await tmux.waitForScreen(pane, /esc to interrupt/, 30_000);
    assert.doesNotMatch(working, IDLE);
    assert.deepEqual(detectScreenState("claude", working), { state: "working" });
    // Still working a second later: only the held reply keeps it so.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.match(tmux.capture(pane), /esc to interrupt/);
    assert.equal(held.finishedAt, undefined, "the stub is still holding the reply");
    hold.open();

    const prompt = await tmux.waitForScreen(pane, /Do you want to proceed\?/, 30_000);
    assert.match(prompt, /Bash command/);
    assert.match(prompt, /echo ok > bash\.txt/);
    assert.match(prompt, /1\. Yes/);
    assert.deepEqual(detectScreenState("claude", prompt), { state: "waiting", detail: "permission prompt" });
    // It really waits: nothing ran and no further model request while the prompt is up.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(existsSync(join(dir, "bash.txt")), false);
    assert.equal(stub.mainRequests({ cwd: dir }).length, 1);

    tmux.sendKeys(pane, "1");
    await tmux.waitForScreen(pane, /All done\./, 30_000);
    const done = await tmux.waitForScreen(pane, IDLE, 30_000);
    assert.deepEqual(detectScreenState("claude", done), { state: "idle" });
    assert.equal(existsSync(join(dir, "bash.txt")), true);
    const second = stub.mainRequests({ cwd: dir })[1]!;
    assert.equal(toolResults(second)[0]?.isError, false);
  });

  it("stops on the folder-trust dialog when the folder is not trusted (and sends no model request)", async () => {
    const dir = join(sb.root, "untrusted");
    mkdirSync(dir);
    const pane = tmux.newSession("untrusted", dir, [CLAUDE_BIN, "hello"], { env: claudeEnv(sb, stub.url) });
    const screen = await tmux.waitForScreen(pane, /trust this folder/, 60_000);
    assert.deepEqual(detectScreenState("claude", screen), { state: "waiting", detail: "trust dialog" });
    assert.equal(stub.mainRequests({ cwd: dir }).length, 0);
  });
});
