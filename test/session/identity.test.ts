// The tmux server is a session's identity (issue 12, points 1, 4, 5, 6) with a tiny fake agent, real git and
// real tmux on private sockets. braid is run as if from panes of two other tmux servers the test starts:
// "home" (where the user launched braid, no socket configured) and "elsewhere" (another server entirely).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BRAID_BIN, braid, isOneLineError, makeRepo, makeSandbox, type Sandbox, waitFor } from "../helpers/env.js";

const KEY = `sk-ant-fake-${process.pid}-Zq9Xw7Vv5Uu3`;

const FAKE_AGENT = `
import fs from "node:fs";
import readline from "node:readline";
const task = process.argv[process.argv.length - 1] ?? "";
fs.writeFileSync("agent-key.txt.tmp", process.env.ANTHROPIC_API_KEY ?? "");
fs.renameSync("agent-key.txt.tmp", "agent-key.txt"); // whole: the test reads it the moment it appears
const say = /say:"([^"]*)"/.exec(task)?.[1];
if (say) console.log(say);
if (task.includes("echo-stdin"))
  readline.createInterface({ input: process.stdin }).on("line", (l) => fs.appendFileSync("typed.txt", l + "\\n"));
const sleep = Number(/sleep:(\\d+)/.exec(task)?.[1] ?? "600000");
const code = Number(/exit:(\\d+)/.exec(task)?.[1] ?? "0");
setTimeout(() => process.exit(code), sleep);
`;

interface View {
  name: string;
  state: string;
  detail: string | null;
  tmuxTarget?: string | null;
}

/** A tmux server the test owns, addressed by -L name in the sandbox's TMUX_TMPDIR. */
class Server {
  constructor(
    readonly sb: Sandbox,
    readonly name: string,
  ) {}
  tmux(...args: string[]) {
    return spawnSync("tmux", ["-L", this.name, ...args], { env: this.sb.env, encoding: "utf8" });
  }
  start(): void {
    // Right after a kill-server the old server may still be shutting down on this socket: try again.
    let r = this.tmux("new-session", "-d", "-s", "shell", "-x", "120", "-y", "40", "--", "sleep", "100000");
    for (let i = 0; i < 50 && r.status !== 0; i++) {
      spawnSync("sleep", ["0.2"]);
      r = this.tmux("new-session", "-d", "-s", "shell", "-x", "120", "-y", "40", "--", "sleep", "100000");
    }
    assert.equal(r.status, 0, r.stderr);
  }
  /** What tmux puts in $TMUX for a pane of this server: `socket_path,server_pid,session_index`. */
  tmuxEnv(): NodeJS.ProcessEnv {
    const r = this.tmux("display-message", "-p", "-t", "=shell:", "#{socket_path},#{pid},0\t#{pane_id}");
    const [tmux, pane] = r.stdout.trim().split("\t");
    return { TMUX: tmux, TMUX_PANE: pane };
  }
  path(): string {
    return this.tmux("display-message", "-p", "-t", "=shell:", "#{socket_path}").stdout.trim();
  }
  kill(): void {
    this.tmux("kill-server");
  }
}

describe("tmux server identity, env without argv, logs", () => {
  let sb: Sandbox;
  let repo: string;
  let home: Server;
  let elsewhere: Server;
  const braidSocket = `braid-id-${process.pid}`;

  before(() => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app", { "README.md": "# app\n", ".gitignore": ".env\n", ".worktreeinclude": ".env\n" });
    writeFileSync(join(repo, ".env"), "SECRET_DB=postgres://local\n");
    const fake = join(sb.root, "fake-agent.mjs");
    writeFileSync(fake, FAKE_AGENT);
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 8\n");
    // The fake agent lives in the user's own config: a repository's agent command runs only once trusted.
    mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
    writeFileSync(
      join(sb.home, ".config", "braid", "config.toml"),
      `agent = "fake"\n[agents.fake]\ncommand = ["${process.execPath}", "${fake}"]\n`,
    );
    home = new Server(sb, `home-${process.pid}`);
    elsewhere = new Server(sb, `elsewhere-${process.pid}`);
    home.start();
    elsewhere.start();
  });
  after(() => {
    for (const s of [home, elsewhere]) s.kill();
    for (const name of [braidSocket, "default"]) spawnSync("tmux", ["-L", name, "kill-server"], { env: sb.env });
    sb.cleanup();
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    braid(sb, repo, args, { env: { ANTHROPIC_API_KEY: KEY, ...env } });
  const status = async (env: NodeJS.ProcessEnv = {}): Promise<Map<string, View>> => {
    const r = await run(["status", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    return new Map((JSON.parse(r.stdout) as { sessions: View[] }).sessions.map((v) => [v.name, v]));
  };
  const stateOf = async (name: string, env: NodeJS.ProcessEnv = {}) => (await status(env)).get(name);
  const registry = () =>
    JSON.parse(readFileSync(join(repo, ".git", "braid", "state.json"), "utf8")) as {
      sessions: { name: string; status: string; ext?: { session?: { tmux?: Record<string, unknown> } } }[];
    };

  it("start bootstraps a new worktree like `braid new`: the .worktreeinclude'd .env is there", async () => {
    const r = await run(["start", "boot", "sleep:600000"], home.tmuxEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /copied 1 path\(s\) from \.worktreeinclude/);
    assert.equal(readFileSync(join(sb.root, "app-boot", ".env"), "utf8"), "SECRET_DB=postgres://local\n");
  });

  it("a session started from a pane of one server stays alive seen from another server (and from none)", async () => {
    const tm = registry().sessions.find((s) => s.name === "boot")?.ext?.session?.tmux;
    assert.equal(tm?.socketPath, home.path(), "the launch recorded the server it ran in ($TMUX) by socket path");
    assert.ok(typeof tm?.serverPid === "number" && tm.serverPid > 0);
    for (const env of [elsewhere.tmuxEnv(), {}, home.tmuxEnv()]) {
      const v = await stateOf("boot", env);
      assert.equal(v?.state, "working", `seen with TMUX=${env.TMUX ?? "(unset)"}: ${JSON.stringify(v)}`);
    }
  });

  it("send from another server types into the session's own pane", async () => {
    assert.equal((await run(["start", "typer", "echo-stdin sleep:600000"], home.tmuxEnv())).code, 0);
    const s = await run(["send", "typer", "hello from elsewhere"], elsewhere.tmuxEnv());
    assert.equal(s.code, 0, s.stderr);
    const typed = join(sb.root, "app-typer", "typed.txt");
    await waitFor("typed text", () => existsSync(typed) && readFileSync(typed, "utf8").includes("elsewhere"));
  });

  it("attach from a pane of another server attaches a client to the session's server", async () => {
    // A real pane of "elsewhere" runs `braid attach`: $TMUX there names the other server.
    const r = elsewhere.tmux(
      "new-window",
      "-d",
      "-t",
      "=shell:",
      "-n",
      "attacher",
      "-c",
      repo,
      "--",
      process.execPath,
      BRAID_BIN,
      "attach",
      "typer",
    );
    assert.equal(r.status, 0, r.stderr);
    const clients = await waitFor("a client on the session's server", () => {
      const l = home.tmux("list-clients", "-F", "#{client_session}").stdout.trim();
      return l.includes("braid-app") ? l : null;
    });
    assert.match(clients, /braid-app/);
    elsewhere.tmux("kill-window", "-t", "=shell:=attacher");
  });

  it("attach from a pane of the session's own server switches that client over", async () => {
    // A real client on "home" (run from a pane of "elsewhere", as a nested tmux), then `braid attach` in a pane of home.
    const client = elsewhere.tmux(
      "new-window",
      "-d",
      "-t",
      "=shell:",
      "-n",
      "client",
      "--",
      "env",
      "-u",
      "TMUX",
      "tmux",
      "-L",
      home.name,
      "attach",
      "-t",
      "=shell",
    );
    assert.equal(client.status, 0, client.stderr);
    await waitFor("a client on home's shell session", () =>
      home.tmux("list-clients", "-F", "#{client_session}").stdout.includes("shell"),
    );
    const r = home.tmux(
      "new-window",
      "-t",
      "=shell:",
      "-n",
      "switcher",
      "-c",
      repo,
      "--",
      process.execPath,
      BRAID_BIN,
      "attach",
      "boot",
    );
    assert.equal(r.status, 0, r.stderr);
    const now = await waitFor("the client switched to boot's window", () => {
      const l = home.tmux("list-clients", "-F", "#{client_session}:#{window_name}").stdout.trim();
      return l.includes("braid-app:boot") ? l : null;
    });
    assert.match(now, /braid-app:boot/);
    home.tmux("detach-client", "-a");
    elsewhere.tmux("kill-window", "-t", "=shell:=client");
  });

  it("no secret on any command line: the agent gets the key, ps never shows it (tmux and headless)", async () => {
    assert.equal((await run(["start", "quiet", "--headless", "sleep:600000"])).code, 0);
    // braid creates its own server for this one: the server's argv lives as long as the server
    assert.equal((await run(["start", "sock", "sleep:600000"], { BRAID_TMUX_SOCKET: braidSocket })).code, 0);
    for (const name of ["boot", "quiet", "sock"]) {
      const got = await waitFor(`${name} key`, () => {
        const f = join(sb.root, `app-${name}`, "agent-key.txt");
        return existsSync(f) ? readFileSync(f, "utf8") : null;
      });
      assert.equal(got, KEY, `${name}'s agent received ANTHROPIC_API_KEY`);
    }
    const ps = spawnSync("ps", ["-eww", "-o", "args"], { encoding: "utf8" }).stdout;
    assert.ok(ps.includes("wrapper.js"), "the wrappers are running (the check looks at the right processes)");
    assert.ok(!ps.includes(KEY), "the key is in no process's argv");
    // and the env file is gone once the agent started
    const runDir = join(repo, ".git", "braid", "run");
    for (const name of readdirSync(runDir))
      for (const entry of readdirSync(join(runDir, name)))
        if (!entry.endsWith(".json")) assert.ok(!existsSync(join(runDir, name, entry, "env.json")), `${name}/${entry}`);
    assert.equal((await run(["stop", "quiet"])).code, 0);
    assert.equal((await run(["stop", "sock"])).code, 0);
  });

  it("a window id that exists in another server is never read as the session's", async () => {
    // Close typer's window in its own server.
    const tm = registry().sessions.find((s) => s.name === "typer")?.ext?.session?.tmux as { paneId: string };
    assert.equal(home.tmux("kill-pane", "-t", tm.paneId).status, 0);
    // A fresh server (pane ids start at %0 again) with a live pane of that very id, and braid run from it.
    const third = new Server(sb, `third-${process.pid}`);
    third.start();
    const ids = () => third.tmux("list-panes", "-a", "-F", "#{pane_id}").stdout.split("\n");
    for (let i = 0; i < 40 && !ids().includes(tm.paneId); i++)
      third.tmux("new-window", "-d", "-t", "=shell:", "--", "sleep", "100000");
    assert.ok(ids().includes(tm.paneId), `${tm.paneId} in ${ids().join(" ")}`);
    const v = await waitFor("typer stopped", async () => {
      const x = await stateOf("typer", third.tmuxEnv());
      return x?.state !== "working" ? x : null;
    });
    third.kill();
    assert.deepEqual([v.state, v.detail], ["stopped", "tmux window closed"]);
  });

  it("failures say why: status detail, `braid logs`, attach points at logs (tmux and headless)", async () => {
    const task = 'say:"Unable to connect to Anthropic services" sleep:1500 exit:1';
    assert.equal((await run(["start", "broke", task], home.tmuxEnv())).code, 0);
    assert.equal((await run(["start", "broke-h", "--headless", task])).code, 0);
    for (const name of ["broke", "broke-h"]) {
      const v = await waitFor(`${name} failed`, async () => {
        const x = await stateOf(name);
        return x?.state === "failed" ? x : null;
      });
      assert.equal(v.detail, "exit 1: Unable to connect to Anthropic services", name);
      const logs = await run(["logs", name, "--json"]);
      assert.equal(logs.code, 0, logs.stderr);
      const j = JSON.parse(logs.stdout) as { source: string; running: boolean; lines: string[]; path: string };
      assert.equal(j.source, "file");
      assert.equal(j.running, false);
      assert.ok(j.lines.includes("Unable to connect to Anthropic services"), JSON.stringify(j.lines));
      const plain = await run(["logs", name, "--lines", "5"]);
      assert.match(plain.stdout, /Unable to connect to Anthropic services/);
    }
    const attach = await run(["attach", "broke"]);
    assert.ok(isOneLineError(attach), attach.stderr);
    assert.match(attach.stderr, /failed: exit 1: Unable to connect.*braid logs broke/);
    const bad = await run(["logs", "broke", "--lines", "0"]);
    assert.ok(isOneLineError(bad), bad.stderr);
  });

  it("logs of a running tmux session read its live pane; --follow prints new output as it comes", async () => {
    assert.equal((await run(["start", "talker", "echo-stdin sleep:600000"], home.tmuxEnv())).code, 0);
    await run(["send", "talker", "first words"]);
    const r = await waitFor("live pane text", async () => {
      const x = await run(["logs", "talker", "--json"]);
      const j = JSON.parse(x.stdout) as { source: string; lines: string[] };
      return j.lines.some((l) => l.includes("first words")) ? j : null;
    });
    assert.equal(r.source, "pane");
  });

  it("logs --follow prints output as it comes and returns when the run ends", async () => {
    assert.equal((await run(["start", "chatty", "--headless", 'say:"line from chatty" sleep:2500 exit:0'])).code, 0);
    const r = await run(["logs", "chatty", "--follow"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /line from chatty/);
  });

  it('old records (socket "", no socket path) mean the default server, wherever $TMUX points', async () => {
    // Started outside tmux with no socket configured: braid uses the default server.
    assert.equal((await run(["start", "legacy", "sleep:600000"])).code, 0);
    const file = join(repo, ".git", "braid", "state.json");
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      sessions: { name: string; ext: { session: { tmux: Record<string, unknown> } } }[];
    };
    const tm = data.sessions.find((s) => s.name === "legacy")?.ext.session.tmux;
    assert.ok(tm && String(tm.socketPath).endsWith("/default"), JSON.stringify(tm));
    delete tm.socketPath;
    delete tm.serverPid;
    writeFileSync(file, JSON.stringify(data, null, 2));
    assert.equal((await stateOf("legacy", elsewhere.tmuxEnv()))?.state, "working");
    assert.equal((await run(["stop", "legacy"], elsewhere.tmuxEnv())).code, 0);
    assert.equal((await stateOf("legacy"))?.state, "stopped");
  });

  it("doctor finds a live agent whose record says otherwise, and --fix re-adopts it", async () => {
    // What braid 0.1 did from a pane of another server: mark the live session "stopped · tmux window closed"
    // and forget where it runs (old record: socket "" and no socket path).
    const file = join(repo, ".git", "braid", "state.json");
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      sessions: { name: string; status: string; ext: { session: Record<string, unknown> } }[];
    };
    const rec = data.sessions.find((s) => s.name === "boot");
    assert.ok(rec);
    rec.status = "stopped";
    const tm = rec.ext.session.tmux as Record<string, unknown>;
    delete tm.socketPath;
    delete tm.serverPid;
    rec.ext.session.detail = "tmux window closed";
    writeFileSync(file, JSON.stringify(data, null, 2));
    assert.equal((await stateOf("boot"))?.state, "stopped");
    const found = await run(["doctor", "--json"], elsewhere.tmuxEnv());
    const f = (JSON.parse(found.stdout) as { findings: { kind: string; where: string; fixable: boolean }[] }).findings;
    assert.deepEqual(
      f.filter((x) => x.kind === "orphaned-agent").map((x) => [x.where, x.fixable]),
      [["boot", true]],
      found.stdout,
    );
    const fixed = await run(["doctor", "--fix", "--json"], elsewhere.tmuxEnv());
    assert.ok(fixed.stdout.includes('"orphaned-agent"'), fixed.stdout);
    const v = await waitFor("boot working again", async () => {
      const x = await stateOf("boot", elsewhere.tmuxEnv());
      return x?.state === "working" ? x : null;
    });
    assert.equal(v.state, "working");
  });

  it("kill-server: sessions are lost, not stopped; restart --all brings every one back", async () => {
    const before = await status();
    assert.equal(before.get("boot")?.state, "working");
    assert.equal(before.get("talker")?.state, "working");
    home.kill();
    const lost = await waitFor("lost", async () => {
      const s = await status(elsewhere.tmuxEnv());
      return s.get("boot")?.state === "lost" && s.get("talker")?.state === "lost" ? s : null;
    });
    assert.equal(lost.get("boot")?.detail, "tmux server gone");
    assert.equal(lost.get("typer")?.state, "stopped", "sessions that had ended keep their state");
    const send = await run(["send", "boot", "hi"]);
    assert.ok(isOneLineError(send) && /lost.*braid restart/.test(send.stderr), send.stderr);
    // restart from outside tmux with a private socket configured: the new server is braid's own
    const r = await run(["restart", "--all", "--json"], { BRAID_TMUX_SOCKET: braidSocket });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { restarted: { session: { name: string } }[]; failed: unknown[] };
    assert.deepEqual(j.restarted.map((x) => x.session.name).sort(), ["boot", "talker"]);
    const back = await status(elsewhere.tmuxEnv());
    assert.deepEqual(
      ["boot", "talker"].map((n) => back.get(n)?.state),
      ["working", "working"],
    );
    const none = await run(["restart", "--all"]);
    assert.match(none.stdout, /no lost sessions/);
    const both = await run(["restart", "boot", "--all"]);
    assert.ok(isOneLineError(both), both.stderr);
  });

  it("a headless run that vanished without a trace (reboot, kill -9) is lost too, and restart --all resumes it", async () => {
    assert.equal((await run(["start", "ghost", "--headless", "sleep:600000"])).code, 0);
    const rec = registry().sessions.find((s) => s.name === "ghost") as unknown as {
      ext: { session: { wrapperPid: number } };
    };
    process.kill(-rec.ext.session.wrapperPid, "SIGKILL");
    const v = await waitFor("ghost lost", async () => {
      const x = await stateOf("ghost");
      return x?.state === "lost" ? x : null;
    });
    assert.equal(v.detail, "agent process vanished");
    const r = await run(["restart", "--all", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { restarted: { session: { name: string } }[] }).restarted.map((x) => x.session.name),
      ["ghost"],
    );
    assert.equal((await stateOf("ghost"))?.state, "working");
    assert.equal((await run(["stop", "ghost"])).code, 0);
  });

  it("a new server at the same socket path (same pane ids) is not the session's server", async () => {
    const tm = registry().sessions.find((s) => s.name === "boot")?.ext?.session?.tmux as { paneId: string };
    spawnSync("tmux", ["-L", braidSocket, "kill-server"], { env: sb.env });
    // A fresh server on braid's socket, with enough panes that boot's old pane id exists again.
    const fresh = new Server(sb, braidSocket);
    fresh.start();
    for (let i = 0; i < 12 && !fresh.tmux("list-panes", "-a", "-F", "#{pane_id}").stdout.includes(tm.paneId); i++)
      fresh.tmux("new-window", "-d", "-t", "=shell:", "--", "sleep", "100000");
    assert.ok(fresh.tmux("list-panes", "-a", "-F", "#{pane_id}").stdout.includes(tm.paneId));
    const v = await waitFor("boot lost", async () => {
      const x = await stateOf("boot");
      return x?.state === "lost" ? x : null;
    });
    assert.equal(v.state, "lost");
    fresh.kill();
  });
});
