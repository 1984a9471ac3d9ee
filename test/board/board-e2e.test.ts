/**
 * End to end: `braid board` in a real tmux pane (80x24) over two real Claude Code sessions started by
 * `braid start` against the scripted model stub. Proves: states shown truthfully (idle, waiting for you),
 * tokens/$ from the real transcript, Enter attaches and detaching returns to the board, `d` pages the diff,
 * `m` merges a done session.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { stripVTControlCharacters } from "node:util";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome, TmuxTestServer } from "../helpers/claude.js";
import { BRAID_BIN, braid, commitIn, gitIn, makeRepo, makeSandbox } from "../helpers/env.js";
import { startModelStub } from "../helpers/model-stub.js";

const LONG = 90_000;

test("braid board over real Claude sessions: states, attach/detach, merge", { timeout: 300_000 }, async (t) => {
  if (!claudeAvailable()) return t.skip("claude CLI not installed");
  const sb = makeSandbox();
  const stub = await startModelStub();
  const sessions = new TmuxTestServer(sb, "sessions");
  const boardServer = new TmuxTestServer(sb, "board");
  try {
    const repo = makeRepo(sb, "app", { "README.md": "# app\n", "src/a.txt": "a\n" });
    const alphaWt = join(sb.root, "app-alpha");
    const betaWt = join(sb.root, "app-beta");
    prepareClaudeHome(sb.home, { trustedPaths: [alphaWt, betaWt] });
    stub.scriptForCwd(alphaWt, [{ text: "Alpha is done.", usage: { input_tokens: 2000, output_tokens: 100 } }]);
    // beta asks to run a command (not a file edit, which autonomy "edits" allows): Claude shows its permission prompt and waits for the user
    stub.scriptForCwd(betaWt, [
      { toolUse: { name: "Bash", input: { command: "npm test", description: "run the tests" } } },
    ]);
    const env = {
      ...claudeEnv(sb, stub.url),
      PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH ?? ""}`,
      BRAID_TMUX_SOCKET: sessions.socket,
    };
    for (const [name, task] of [
      ["alpha", "say you are done"],
      ["beta", "create a file"],
    ] as const) {
      const r = await braid(sb, repo, ["start", name, task], { env, timeoutMs: LONG });
      assert.equal(r.code, 0, `start ${name}: ${r.stderr}`);
    }
    // alpha's work, committed (as the agent would): something for the merge train to merge
    commitIn(sb, alphaWt, { "src/alpha.txt": "alpha\n" }, "alpha: add alpha.txt");

    const diffFile = join(sb.root, "paged-diff.txt");
    const pane = boardServer.newSession("board", repo, [process.execPath, BRAID_BIN, "board"], {
      env: { ...env, BRAID_PAGER: `tee ${diffFile}` },
      width: 80,
      height: 24,
    });
    const screen = await boardServer.waitForScreen(pane, /1 alpha.*○ idle[\s\S]*2 beta.*❯ waiting for you/, LONG);
    assert.match(screen, /braid · app · 2 sessions/);
    assert.match(screen, /1 waiting for you/);
    // alpha's second line: one commit ahead, and tokens + $ from Claude's real transcript
    await boardServer.waitForScreen(pane, /↑1 ↓0\s+1f \+1 -0\s+2\.\d+k tok \$0\.\d+/, LONG);

    // Enter attaches to alpha's agent (nested tmux client); detaching returns to the board
    boardServer.sendKeys(pane, "Enter");
    const attached = await boardServer.waitForScreen(pane, /Alpha is done\./, LONG);
    assert.ok(!attached.includes("braid · app"), "the board gave the terminal to tmux");
    boardServer.sendKeys(pane, "C-b");
    boardServer.sendKeys(pane, "d");
    await boardServer.waitForScreen(pane, /back from alpha/, LONG);
    await boardServer.waitForScreen(pane, /▶ 1 alpha/, LONG);

    // d pages the selected session's diff against its fork point, then the board comes back
    boardServer.sendKeys(pane, "d");
    for (const t0 = Date.now(); !existsSync(diffFile) && Date.now() - t0 < LONG; ) await sleep(100);
    await sleep(300);
    assert.match(stripVTControlCharacters(readFileSync(diffFile, "utf8")), /src\/alpha\.txt[\s\S]*\+alpha/);
    await boardServer.waitForScreen(pane, /▶ 1 alpha/, LONG);

    // m + y merges the selected (done/idle) session through the merge train
    boardServer.sendKeys(pane, "m");
    await boardServer.waitForScreen(pane, /merge alpha into main via the merge train\? \(y\/n\)/, LONG);
    boardServer.sendKeys(pane, "y");
    await boardServer.waitForScreen(pane, /✔ merged alpha into main/, LONG);
    assert.match(gitIn(sb, repo, "log", "main", "--format=%s"), /alpha: add alpha\.txt/);

    boardServer.sendKeys(pane, "q");
    await boardServer.waitForScreen(pane, /\$ ?$|^$/m, 10_000).catch(() => undefined);
  } finally {
    await boardServer.kill();
    await sessions.kill();
    await stub.stop();
    sb.cleanup();
  }
});
