// The kit against the REAL interactive Claude Code in a private tmux server: no set-up screens, a delayed
// reply holds it working, a Bash call without permission waits on the permission prompt.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome, TmuxTestServer } from "../helpers/claude.js";
import { makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, startModelStub, toolResults } from "../helpers/model-stub.js";

const IDLE = /\? for shortcuts/;

describe("real interactive claude in tmux", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let stub: ModelStub;
  let tmux: TmuxTestServer;
  before(async () => {
    sb = makeSandbox();
    stub = await startModelStub();
    tmux = new TmuxTestServer(sb, "kit");
  });
  after(async () => {
    await tmux.kill();
    await stub.stop();
    sb.cleanup();
  });

  function workdir(name: string): string {
    const dir = join(sb.root, name);
    mkdirSync(dir);
    prepareClaudeHome(sb.home, { trustedPaths: [dir] });
    return dir;
  }

  it("runs the first prompt and reaches the idle prompt without any set-up screen", async () => {
    const dir = workdir("hello");
    stub.scriptForCwd(dir, [{ text: "Hi from the stub." }]);
    const pane = tmux.newSession("hello", dir, [CLAUDE_BIN, "say hi"], { env: claudeEnv(sb, stub.url) });
    const screen = await tmux.waitForScreen(pane, /Hi from the stub\./, 30_000);
    assert.doesNotMatch(screen, /trust this folder|Detected a custom API key|Choose the text style|Unable to connect/i);
    await tmux.waitForScreen(pane, IDLE, 10_000);
    assert.equal(stub.mainRequests({ cwd: dir }).length, 1);
  });

  it("shows working while a reply is delayed, then waits on a permission prompt for an unapproved Bash call", async () => {
    const dir = workdir("perm");
    stub.scriptForCwd(dir, [
      {
        delayMs: 2_500,
        text: "Running it.",
        toolUse: { name: "Bash", input: { command: "echo ok > bash.txt", description: "Write bash.txt" } },
      },
      { text: "All done." },
    ]);
    const pane = tmux.newSession("perm", dir, [CLAUDE_BIN, "run the command"], { env: claudeEnv(sb, stub.url) });
    const held = await stub.waitForRequest((r) => r.kind === "main" && r.cwd === dir, 30_000);
    const working = await tmux.waitForScreen(pane, /esc to interrupt/, 2_000);
    assert.equal(held.finishedAt, undefined, "the stub is still holding the reply while the screen says working");
    assert.doesNotMatch(working, IDLE);

    const prompt = await tmux.waitForScreen(pane, /Do you want to proceed\?/, 15_000);
    assert.match(prompt, /Bash command/);
    assert.match(prompt, /echo ok > bash\.txt/);
    assert.match(prompt, /1\. Yes/);
    // It really waits: nothing ran and no further model request while the prompt is up.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(existsSync(join(dir, "bash.txt")), false);
    assert.equal(stub.mainRequests({ cwd: dir }).length, 1);

    tmux.sendKeys(pane, "1");
    await tmux.waitForScreen(pane, /All done\./, 15_000);
    await tmux.waitForScreen(pane, IDLE, 10_000);
    assert.equal(existsSync(join(dir, "bash.txt")), true);
    const second = stub.mainRequests({ cwd: dir })[1]!;
    assert.equal(toolResults(second)[0]?.isError, false);
  });
});
