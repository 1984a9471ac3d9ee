// braid start/status/send/attach/stop/restart/hook through the real CLI, real git and a private tmux
// server, with a tiny fake agent (fast; the real Claude runs in claude-e2e.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  braid,
  gitIn,
  isOneLineError,
  makeRepo,
  makeSandbox,
  type Sandbox,
  waitFor as waitForValue,
} from "../helpers/env.js";

const FAKE_AGENT = `
import fs from "node:fs";
import readline from "node:readline";
const args = process.argv.slice(2);
// written whole (temp + rename): the test reads it the moment it appears
fs.writeFileSync("agent-argv.json.tmp", JSON.stringify(args));
fs.renameSync("agent-argv.json.tmp", "agent-argv.json");
const task = args[args.length - 1] ?? "";
const sleep = Number(/sleep:(\\d+)/.exec(task)?.[1] ?? "600000");
const code = Number(/exit:(\\d+)/.exec(task)?.[1] ?? "0");
if (task.includes("echo-stdin")) {
  readline.createInterface({ input: process.stdin }).on("line", (l) => fs.appendFileSync("typed.txt", l + "\\n"));
}
setTimeout(() => process.exit(code), sleep);
// "release": exit as soon as the test creates a file named release in the worktree.
if (task.includes("release")) setInterval(() => fs.existsSync("release") && process.exit(code), 50);
`;

interface SessionJson {
  name: string;
  state: string;
  detail: string | null;
  queuePosition: number | null;
  runner: string | null;
  exitCode?: number | null;
  path: string;
}

/** This file's bound is 20 s. */
const waitFor = <T>(what: string, fn: () => T | Promise<T>, ms = 20_000) => waitForValue(what, fn, ms);

describe("session commands with a fake agent", () => {
  let sb: Sandbox;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const socket = `braid-b1-cli-${process.pid}`;

  before(() => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    const fake = join(sb.root, "fake-agent.mjs");
    writeFileSync(fake, FAKE_AGENT);
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 2\n");
    // The agent is the user's own choice (global config): a repo's braid.toml agent would need `braid trust`.
    const global = join(sb.root, "global.toml");
    writeFileSync(global, `agent = "fake"\n[agents.fake]\ncommand = ["${process.execPath}", "${fake}"]\n`);
    sb.env.BRAID_CONFIG = global;
    env = { BRAID_TMUX_SOCKET: socket };
  });
  after(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
    sb.cleanup();
  });

  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => braid(sb, repo, args, { env: { ...env, ...extra } });
  const statusOf = async (name: string): Promise<SessionJson> => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const s = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions.find((x) => x.name === name);
    assert.ok(s, `no ${name} in status`);
    return s;
  };
  /** The registry as written on disk, without running braid (which would pump the queue itself). */
  const registry = (name: string) =>
    (
      JSON.parse(readFileSync(join(repo, ".git", "braid", "state.json"), "utf8")) as {
        sessions: { name: string; status: string }[];
      }
    ).sessions.find((s) => s.name === name);

  it("delivers task text with quotes, newlines, $(...), ; and backticks verbatim, never through a shell", async () => {
    const task = `it's "quoted"\nline two $(touch pwned1); touch pwned2; \`touch pwned3\` && echo $HOME sleep:600000 ;`;
    for (const [name, flags] of [
      ["verbatim-tmux", []],
      ["verbatim-headless", ["--headless"]],
    ] as const) {
      const r = await run(["start", name, ...flags, "--", task]);
      assert.equal(r.code, 0, r.stderr);
      const wt = join(sb.root, `app-${name}`);
      const argv = await waitFor("agent argv", () =>
        existsSync(join(wt, "agent-argv.json"))
          ? (JSON.parse(readFileSync(join(wt, "agent-argv.json"), "utf8")) as string[])
          : null,
      );
      assert.deepEqual(argv, [task]);
      for (const f of ["pwned1", "pwned2", "pwned3"]) {
        assert.ok(!existsSync(join(wt, f)) && !existsSync(join(repo, f)), `${f} must not exist: nothing was executed`);
      }
    }
    assert.equal((await statusOf("verbatim-headless")).runner, "headless");
  });

  it("refuses to start a name that already runs, attach to a headless session, and bad options", async () => {
    const again = await run(["start", "verbatim-tmux", "x"]);
    assert.ok(isOneLineError(again), again.stderr);
    assert.match(again.stderr, /already running/);
    const attach = await run(["attach", "verbatim-headless"]);
    assert.ok(isOneLineError(attach), attach.stderr);
    assert.match(attach.stderr, /headless/);
    const noTty = await run(["attach", "verbatim-tmux"]);
    assert.ok(isOneLineError(noTty) && /needs a terminal/.test(noTty.stderr), noTty.stderr);
    assert.equal(noTty.stdout, "", "nothing printed before the refusal");
    const type = await run(["start", "t1", "--type", "bogus", "x"]);
    assert.ok(isOneLineError(type) && /unknown session type/.test(type.stderr), type.stderr);
  });

  it("stops and restarts: the agent goes away, the worktree stays, restart runs it again", async () => {
    const stop = await run(["stop", "verbatim-tmux"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await statusOf("verbatim-tmux")).state, "stopped");
    assert.ok(existsSync(join(sb.root, "app-verbatim-tmux")), "worktree kept");
    const send = await run(["send", "verbatim-tmux", "hello"]);
    assert.ok(isOneLineError(send) && /not running/.test(send.stderr), send.stderr);
    const again = await run(["stop", "verbatim-tmux"]);
    assert.match(again.stdout, /not running/);
    const restart = await run(["restart", "verbatim-tmux"]);
    assert.equal(restart.code, 0, restart.stderr);
    assert.ok(["working", "starting"].includes((await statusOf("verbatim-tmux")).state));
    await run(["stop", "verbatim-tmux"]);
    await run(["stop", "verbatim-headless"]);
  });

  it("sends text literally into the agent's terminal", async () => {
    const r = await run(["start", "typer", "echo-stdin sleep:600000"]);
    assert.equal(r.code, 0, r.stderr);
    const text = `say "hi" $(touch pwned4); exit`;
    const s = await run(["send", "typer", text]);
    assert.equal(s.code, 0, s.stderr);
    const typed = join(sb.root, "app-typer", "typed.txt");
    await waitFor("typed text", () => existsSync(typed) && readFileSync(typed, "utf8").includes("exit"));
    assert.equal(readFileSync(typed, "utf8"), `${text}\n`);
    assert.ok(!existsSync(join(sb.root, "app-typer", "pwned4")));
    await run(["stop", "typer"]);
  });

  it("records done / failed with the exit code for headless runs", async () => {
    assert.equal((await run(["start", "ok", "--headless", "sleep:100 exit:0"])).code, 0);
    assert.equal((await run(["start", "bad", "--headless", "sleep:100 exit:3"])).code, 0);
    const ok = await waitFor("ok done", async () => ((await statusOf("ok")).state === "done" ? statusOf("ok") : null));
    assert.equal(ok.exitCode, 0);
    const bad = await waitFor("bad failed", async () =>
      (await statusOf("bad")).state === "failed" ? statusOf("bad") : null,
    );
    assert.deepEqual([bad.detail, bad.exitCode], ["exit 3", 3]);
    const send = await run(["send", "ok", "hi"]);
    assert.ok(isOneLineError(send) && /not running/.test(send.stderr), send.stderr);
  });

  it("status works without tmux on PATH: tmux sessions show lost, headless ones their state", async () => {
    assert.equal((await run(["start", "tm", "--type", "research", "sleep:600000"])).code, 0);
    assert.equal((await run(["start", "hl", "--type", "research", "--headless", "sleep:600000"])).code, 0);
    const live = ["running", "working", "idle"];
    const before = await waitFor("tm live", async () => {
      const [tm, hl] = [await statusOf("tm"), await statusOf("hl")];
      return live.includes(tm.state) && live.includes(hl.state) ? { tm: tm.state, hl: hl.state } : null;
    });
    const bin = join(sb.root, "no-tmux-bin");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["git", "ps"]) {
      const at = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    symlinkSync(process.execPath, join(bin, "node"));
    const r = await run(["status", "--json"], { PATH: bin });
    assert.equal(r.code, 0, r.stderr);
    const byName = new Map((JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions.map((x) => [x.name, x]));
    assert.equal(byName.get("tm")?.state, "lost");
    assert.equal(byName.get("hl")?.state, before.hl);
    // tmux back on PATH: the session it never lost shows as before
    assert.equal((await statusOf("tm")).state, before.tm);
    await run(["stop", "tm"]);
    await run(["stop", "hl"]);
  });

  it("queues implementation sessions beyond max_code_sessions; the exit of one starts the next", async () => {
    assert.equal((await run(["start", "q1", "release sleep:600000"])).code, 0);
    assert.equal((await run(["start", "q2", "sleep:600000"])).code, 0);
    const q3 = await run(["start", "q3", "--json", "sleep:600000"]);
    assert.equal(q3.code, 0, q3.stderr);
    assert.deepEqual([JSON.parse(q3.stdout).queued, JSON.parse(q3.stdout).queuePosition], [true, 1]);
    // A queued session has no window yet: start again, attach, send and logs say it waits for a slot, and none
    // sends the user to the other (start said "attach", attach said "start").
    for (const args of [
      ["start", "q3", "again"],
      ["attach", "q3"],
      ["send", "q3", "hi"],
      ["logs", "q3"],
    ]) {
      const r = await run(args);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /queued.*starts by itself when an implementation slot frees .*braid stop q3/, r.stderr);
      assert.doesNotMatch(r.stderr, /braid attach|braid start/, r.stderr);
    }
    const research = await run(["start", "look", "--type", "research", "sleep:600000"]);
    assert.equal(research.code, 0, research.stderr);
    assert.match(research.stdout, /started look/, "research sessions do not count against the cap");
    // No braid command from here on: the wrapper of q1 must wake the supervisor itself.
    writeFileSync(join(sb.root, "app-q1", "release"), "");
    await waitFor(
      "q3 started by the exit of q1",
      () => registry("q3")?.status === "starting" || registry("q3")?.status === "working",
      30_000,
    );
    assert.equal(registry("q1")?.status, "done");
    // A stopped session frees its slot too.
    const q4 = await run(["start", "q4", "sleep:600000"]);
    assert.match(q4.stdout, /queued q4/);
    assert.equal((await run(["stop", "q2"])).code, 0);
    assert.notEqual(registry("q4")?.status, "queued");
    for (const n of ["q3", "q4", "look"]) await run(["stop", n]);
  });

  it("research and review worktrees refuse commits; implementation ones do not", async () => {
    const wt = join(sb.root, "app-look");
    writeFileSync(join(wt, "notes.md"), "findings\n");
    const add = spawnSync("git", ["add", "notes.md"], { cwd: wt, env: sb.env, encoding: "utf8" });
    assert.equal(add.status, 0);
    const commit = spawnSync("git", ["commit", "-m", "sneaky"], { cwd: wt, env: sb.env, encoding: "utf8" });
    assert.notEqual(commit.status, 0);
    assert.match(commit.stderr, /commit refused: this is a read-only research session/);
    const impl = join(sb.root, "app-q3");
    gitIn(sb, impl, "commit", "--allow-empty", "-qm", "allowed");
    assert.equal(gitIn(sb, impl, "log", "-1", "--format=%s"), "allowed");
  });

  it("unknown agent, missing agent binary, missing tmux: one line each, naming the fix", async () => {
    const unknown = await run(["start", "u1", "--agent", "no-such-agent-xyz", "x"]);
    assert.ok(isOneLineError(unknown) && /unknown agent "no-such-agent-xyz"/.test(unknown.stderr), unknown.stderr);
    const bin = join(sb.root, "bin-no-tmux");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["git", "node"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const codex = await run(["start", "u2", "--agent", "codex", "x"], { PATH: bin });
    assert.ok(
      isOneLineError(codex) && /`codex`/.test(codex.stderr) && /npm install -g @openai\/codex/.test(codex.stderr),
      codex.stderr,
    );
    const noTmux = await run(["start", "u3", "x"], { PATH: bin });
    assert.ok(
      isOneLineError(noTmux) && /tmux is not installed/.test(noTmux.stderr) && /--headless/.test(noTmux.stderr),
      noTmux.stderr,
    );
    assert.equal(existsSync(join(sb.root, "app-u3")), false, "nothing created when the preflight fails");
  });
});
