// The tmux module against a private tmux server: exact targets, batched capture, literal typing, pane exits.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import {
  capturePanes,
  listPanes,
  openWindow,
  paneOfWindow,
  projectTmuxSession,
  sendText,
  type TmuxServer,
  tmuxServer,
} from "../../src/runtime/tmux.js";
import { makeSandbox, type Sandbox } from "../helpers/env.js";

describe("tmux module", () => {
  let sb: Sandbox;
  let server: TmuxServer;
  const saved = { ...process.env };
  before(() => {
    sb = makeSandbox();
    // The module reads the environment like braid does: private socket dir + socket name.
    process.env.TMUX_TMPDIR = sb.env.TMUX_TMPDIR;
    delete process.env.TMUX;
    process.env.BRAID_TMUX_SOCKET = `braid-b1-tmux-${process.pid}`;
    server = tmuxServer("ignored-config-socket");
  });
  after(() => {
    spawnSync("tmux", ["-L", server.socket, "kill-server"], { env: process.env });
    process.env = saved;
    sb.cleanup();
  });
  /** Window `window` of session braid-t, running `argv` in the sandbox with `env` set. */
  const open = async (window: string, argv: string[], env: Record<string, string> = {}) =>
    (await openWindow(server, { session: "braid-t", window, cwd: sb.root, env, argv })).paneId;

  it("env BRAID_TMUX_SOCKET overrides the config socket; session names lose '.' and ':'", () => {
    assert.equal(server.socket, `braid-b1-tmux-${process.pid}`);
    assert.equal(projectTmuxSession("my.app:x"), "braid-my_app_x");
  });

  it("opens windows by exact name (a window 'b' never matches 'bash'), keeps dead panes with their status", async () => {
    const bash = await open("bash", ["sh", "-c", "sleep 30"], { X: "1" });
    const b = await open("b", ["sh", "-c", 'echo "$GREETING"; sleep 60'], { GREETING: "hi there" });
    assert.notEqual(bash, b);
    assert.equal(await paneOfWindow(server, "braid-t", "b"), b);
    assert.equal(await paneOfWindow(server, "braid-t", "ba"), null, "no prefix matching");
    let deadline = Date.now() + 10_000;
    let screen = "";
    while (!/hi there/.test(screen) && Date.now() < deadline) {
      screen = (await capturePanes(server, [bash, b])).get(b) ?? "";
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(screen, /hi there/, "the environment passed with -e reached the program");
    // A program that exits: its pane stays (remain-on-exit). tmux 3.3a on this machine intermittently reports a
    // dead pane without #{pane_dead_status} (seen in CI and by hand), which is why braid never depends on it: every
    // agent runs under the exec wrapper that records its own exit code (tested in cli.test/claude-e2e).
    const x = await open("x", ["sh", "-c", "exit 7"]);
    deadline = Date.now() + 10_000;
    let pane = (await listPanes(server)).find((p) => p.paneId === x);
    while ((!pane?.dead || pane.deadStatus === null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      pane = (await listPanes(server)).find((p) => p.paneId === x);
    }
    assert.deepEqual([pane?.dead, pane?.window], [true, "x"], "the dead pane is kept");
    if (pane?.deadStatus !== null) assert.equal(pane?.deadStatus, 7, "when tmux reports a status it is the exit code");
    const screens = await capturePanes(server, [bash, b, x]);
    assert.ok(screens.has(bash) && screens.has(b) && screens.has(x), "one batched call captures live and dead panes");
  });

  it("types text literally: key names and shell syntax arrive as characters", async () => {
    const pane = await open("cat", ["cat", "-v"]);
    const text = `Enter C-c $(echo no) 'q' ;`;
    await sendText(server, pane, text);
    const deadline = Date.now() + 10_000;
    let screen = "";
    while (Date.now() < deadline) {
      screen = (await capturePanes(server, [pane])).get(pane) ?? "";
      if (screen.split("\n").filter((l) => l === text).length >= 2) break; // echoed by the tty, then by cat
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(screen.split("\n").filter((l) => l === text).length, 2, `pane ${pane}: ${JSON.stringify(screen)}`);
  });

  it("without a UTF-8 locale (a command over ssh): pane ids, socket path and screens stay intact", async () => {
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE };
    process.env.LC_ALL = "C";
    delete process.env.LANG;
    delete process.env.LC_CTYPE;
    try {
      const opened = await openWindow(server, {
        session: "braid-t",
        window: "c-locale",
        cwd: sb.root,
        argv: ["sh", "-c", "printf 'caf\\303\\251 \\342\\234\\273\\n'; sleep 30"],
      });
      assert.match(opened.paneId, /^%\d+$/, "tmux prints a tab as _ in a C locale unless told -u");
      assert.match(opened.socketPath, /^\//);
      assert.ok((await listPanes(server)).some((p) => p.paneId === opened.paneId && p.window === "c-locale"));
      let screen = "";
      const deadline = Date.now() + 10_000;
      while (!/café/.test(screen) && Date.now() < deadline) {
        screen = (await capturePanes(server, [opened.paneId])).get(opened.paneId) ?? "";
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(screen, /café ✻/, "non-ASCII on the screen arrives as it is");
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
