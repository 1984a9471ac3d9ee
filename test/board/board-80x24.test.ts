/**
 * The real `braid board` in an 80x24 tmux pane (no agents needed): the footer fits — queue figures on one line,
 * every key shown — and a pasted line that ends in Enter is submitted at once, so the next key drives the board
 * instead of landing in a hidden prompt.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TmuxTestServer } from "../helpers/claude.js";
import { BRAID_BIN, braid, makeRepo, makeSandbox } from "../helpers/env.js";

test("board at 80x24: the footer fits; a pasted prompt with Enter is submitted", { timeout: 120_000 }, async () => {
  const sb = makeSandbox();
  const server = new TmuxTestServer(sb, "b80");
  try {
    const repo = makeRepo(sb, "app");
    for (const n of ["alpha", "beta", "gamma"]) assert.equal((await braid(sb, repo, ["new", n])).code, 0);
    const pane = server.newSession("board", repo, [process.execPath, BRAID_BIN, "board"], {
      env: sb.env,
      width: 80,
      height: 24,
    });
    // the recommendation arrives with the background figures: wait for it, then read the whole screen
    const screen = await server.waitForScreen(pane, /running 0\/4 {2}queue 0 {2}· .*\n.*q quit/, 60_000);
    const lines = screen.replace(/\n$/, "").split("\n");
    for (const l of lines) assert.ok([...l].length <= 80, `too wide: ${l}`);
    assert.ok(lines.length <= 24, `${lines.length} lines`);
    assert.ok(
      lines.some((l) => l.startsWith("←→ select ⏎ attach") && l.endsWith("q quit")),
      `keys line whole:\n${screen}`,
    );

    // a paste: the text and its Enter arrive in one chunk
    server.sendKeys(pane, "s");
    await server.waitForScreen(pane, /send to alpha:/, 30_000);
    server.sendText(pane, "please rebase\r", false);
    // submitted: braid answered (alpha has no agent to type into), and the prompt is gone
    const after = await server.waitForScreen(pane, /session "alpha" is not running/, 30_000);
    assert.ok(!after.includes("send to alpha:"), "the prompt closed");
    server.sendKeys(pane, "Right");
    await server.waitForScreen(pane, /▶ 2 beta/, 30_000);
    server.sendKeys(pane, "q");
    for (let t0 = Date.now(); !server.paneDead(pane) && Date.now() - t0 < 30_000; )
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(server.paneDead(pane), "q quit the board: the keys reach the board, not a hidden prompt");
  } finally {
    await server.kill();
    sb.cleanup();
  }
});
