// Notifications without an agent: the trust gate on repo-provided keys, exactly-once delivery across
// concurrent workers, the hook's transitions, and new conflicts noticed by a real radar run.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { deliver } from "../../src/notify/deliver.js";
import { fireNotify, type NotifyEvent } from "../../src/notify/fire.js";
import { notifySettings } from "../../src/notify/settings.js";
import { hookNotifyState } from "../../src/notify/when.js";
import { braid, commitIn } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("notifications", () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n", "shared.txt": "one\ntwo\nthree\n" });
  const log = () => join(sb.root, "notified.log");
  const lines = () => (existsSync(log()) ? readFileSync(log(), "utf8").trim().split("\n").filter(Boolean) : []);
  const stateDir = () => join(repo, ".git", "braid");
  const globalConfig = () => join(sb.home, ".config", "braid", "config.toml");
  const saved = { ...process.env };
  const event = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
    session: "auth",
    state: "waiting",
    detail: "permission prompt: Bash",
    since: "2026-12-01T10:00:00.000Z",
    stateDir: stateDir(),
    mainWorktree: repo,
    project: "app",
    ...over,
  });

  before(() => {
    for (const k of ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"]) process.env[k] = sb.env[k];
    const script = join(sb.root, "notify.cjs");
    writeFileSync(
      script,
      `require("fs").appendFileSync(${JSON.stringify(log())}, [process.env.BRAID_SESSION, process.env.BRAID_STATE, process.env.BRAID_DETAIL].join("|") + "\\n");\n`,
    );
    mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
    writeFileSync(
      globalConfig(),
      `notify_command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]\n`,
    );
    mkdirSync(stateDir(), { recursive: true });
  });
  process.on("exit", () => {
    process.env = saved;
  });

  it("uses the user's global settings, and ignores the repository's own notify keys (trust-gated)", async () => {
    writeFileSync(
      join(repo, "braid.toml"),
      'notify_command = ["sh", "-c", "touch /tmp/pwned"]\nnotify_url = "http://example.invalid/x"\n',
    );
    try {
      const s = await notifySettings(repo, stateDir());
      assert.deepEqual(s.ignored, ["notify_command", "notify_url"]);
      assert.equal(s.command[0], process.execPath, "the global command, not the repo's");
      assert.equal(s.url, "");
    } finally {
      writeFileSync(join(repo, "braid.toml"), "");
    }
  });

  it("after `braid trust`, the repository's own notify command applies", async () => {
    const mine = [process.execPath, join(repo, "notify-repo.cjs")];
    writeFileSync(join(repo, "braid.toml"), `notify_command = ${JSON.stringify(mine)}\n`);
    try {
      assert.deepEqual((await notifySettings(repo, stateDir())).ignored, ["notify_command"]);
      const t = await braid(sb, repo, ["trust"]);
      assert.equal(t.code, 0, t.stderr);
      const s = await notifySettings(repo, stateDir());
      assert.deepEqual(s.ignored, []);
      assert.deepEqual(s.command, mine);
    } finally {
      writeFileSync(join(repo, "braid.toml"), "");
    }
  });

  it("delivers each event once, even when many workers race for it", async () => {
    for (let i = 0; i < 6; i++) fireNotify(event());
    await until("the notification", () => lines().length >= 1);
    await new Promise((r) => setTimeout(r, 1500)); // every racing worker has had its chance
    assert.deepEqual(lines(), ["auth|waiting|permission prompt: Bash"]);
    await deliver(event());
    assert.equal(lines().length, 1, "the same session+state+since never notifies again");
    await deliver(event({ since: "2026-12-01T10:05:00.000Z", detail: "question" }));
    assert.deepEqual(lines().slice(1), ["auth|waiting|question"], "a new waiting period notifies again");
  });

  it("honours notify_events", async () => {
    writeFileSync(globalConfig(), `${readFileSync(globalConfig(), "utf8")}notify_events = ["failed"]\n`);
    const before = lines().length;
    await deliver(event({ since: "2026-12-01T11:00:00.000Z" }));
    assert.equal(lines().length, before, "waiting is not in notify_events");
    writeFileSync(globalConfig(), readFileSync(globalConfig(), "utf8").replace(/notify_events.*\n/, ""));
  });

  it("the hook notifies when a session starts waiting or finishes its turn, not on every event", () => {
    const t0 = { state: "working", since: "a" };
    assert.equal(hookNotifyState(t0, { state: "waiting", since: "b" }, "PermissionRequest"), "waiting");
    assert.equal(
      hookNotifyState({ state: "waiting", since: "b" }, { state: "waiting", since: "b" }, "Notification"),
      null,
    );
    assert.equal(hookNotifyState(t0, { state: "idle", since: "c" }, "Stop"), "idle");
    assert.equal(
      hookNotifyState(null, { state: "idle", since: "c" }, "SessionStart"),
      null,
      "ready is not a finished turn",
    );
    assert.equal(hookNotifyState(t0, { state: "working", since: "a" }, "PreToolUse"), null);
  });

  it("a new conflict found by the radar notifies both sessions once", async () => {
    for (const n of ["left", "right"]) assert.equal((await braid(sb, repo, ["new", n, "--no-bootstrap"])).code, 0);
    commitIn(sb, join(sb.root, "app-left"), { "shared.txt": "one\nLEFT\nthree\n" });
    commitIn(sb, join(sb.root, "app-right"), { "shared.txt": "one\nRIGHT\nthree\n" });
    const r = await braid(sb, repo, ["conflicts", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).pairs[0].status, "conflict");
    const got = await until("both conflict notifications", () => {
      const c = lines().filter((l) => l.includes("|conflict|"));
      return c.length >= 2 ? c : null;
    });
    assert.deepEqual(got.sort(), [
      "left|conflict|would conflict with right: shared.txt",
      "right|conflict|would conflict with left: shared.txt",
    ]);
    assert.equal((await braid(sb, repo, ["conflicts", "--json"])).code, 0);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(lines().filter((l) => l.includes("|conflict|")).length, 2, "a known conflict does not notify again");
  });
});
