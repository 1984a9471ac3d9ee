// Sessions finish in commits: `finish` without --commit-wip exits non-zero naming the flag when it left work out;
// with it, a done session's leftover work is committed as the agent and merged, a working one is never touched.
// `merge --resolve` hands a conflict back to the session's agent (a stand-in that merges and commits, in a real
// tmux pane), and the next train lands it. `finish` stops the agents of sessions it removes and says so.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pidAlive } from "../../src/infra/process.js";
import { loadContext } from "../../src/project/context.js";
import { runtimeOf } from "../../src/runtime/run.js";
import { writeLive } from "../../src/session/live.js";
import { braid, commitIn, gitIn, type Sandbox } from "../helpers/env.js";
import { repoWithSessions, setStatus, useSandboxEnv } from "./fixture.js";

// Types what it is told into typed.txt; told to `git merge main`, it merges, resolves by keeping both sides, commits.
const STAND_IN_AGENT = `
const fs = require("node:fs");
const { execFileSync, spawnSync } = require("node:child_process");
require("node:readline").createInterface({ input: process.stdin }).on("line", (l) => {
  fs.appendFileSync("typed.txt", l + "\\n");
  if (!l.includes("git merge main")) return;
  spawnSync("git", ["merge", "main"], { stdio: "ignore" });
  const both = fs.readFileSync("shared.txt", "utf8").split("\\n").filter((x) => !/^(<<<<<<<|=======|>>>>>>>)/.test(x));
  fs.writeFileSync("shared.txt", both.filter(Boolean).join("\\n") + "\\n");
  execFileSync("git", ["add", "shared.txt"]);
  execFileSync("git", ["commit", "-q", "--no-edit"]);
  fs.writeFileSync("resolved", "");
});
setTimeout(() => process.exit(0), 600000);
`;

/** Pids (not ours) whose working directory is inside `root`. */
function processesIn(root: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${p}/cwd`).startsWith(root)) out.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

async function waitFor(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("finishing in commits, --commit-wip, --resolve", () => {
  const socket = `braid-train-wip-${process.pid}`;
  // Registered before the sandbox's own cleanup so it runs first: end this test's tmux server and its agents.
  after(async () => {
    const panes = spawnSync("tmux", ["-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], { env: sb.env });
    const pids = String(panes.stdout ?? "")
      .split("\n")
      .map(Number)
      .filter((n) => n > 0);
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
    await waitFor("the stand-in agents to exit", () => !pids.some(pidAlive), 10_000).catch(() => undefined);
    // Their exec wrappers run a detached `braid _pump` as the agents exit: let those finish writing too.
    await waitFor("no process left in the sandbox", () => processesIn(sb.root).length === 0, 15_000).catch(
      () => undefined,
    );
  });
  const sb: Sandbox = useSandboxEnv();
  let env: NodeJS.ProcessEnv;

  before(() => {
    const agent = join(sb.root, "stand-in.cjs");
    writeFileSync(agent, STAND_IN_AGENT);
    // The user's own global config (trusted) names the stand-in agent.
    const global = join(sb.root, "global.toml");
    writeFileSync(global, `[agents.standin]\ncommand = ["${process.execPath}", "${agent}"]\n`);
    env = { BRAID_TMUX_SOCKET: socket, BRAID_CONFIG: global };
  });

  it("finish without --commit-wip leaves uncommitted work out and exits 1 naming the flag; with it, commits as the agent", async () => {
    const { repo, wt } = await repoWithSessions(sb, "w1", ["auth", "busy"]);
    const ctx = await loadContext(repo);
    await ctx.store.patch("auth", { agent: "claude", task: "Add user authentication" });
    commitIn(sb, wt("auth"), { "auth.txt": "login\n" });
    writeFileSync(join(wt("auth"), "auth.txt"), "login\nlogout\n");
    writeFileSync(join(wt("auth"), "session.txt"), "new file\n");
    writeFileSync(join(wt("busy"), "busy.txt"), "half done\n");
    await setStatus(repo, "auth", "done");
    await setStatus(repo, "busy", "working");
    const old = gitIn(sb, repo, "rev-parse", "main");

    const st = await braid(sb, repo, ["status"], { env });
    assert.match(st.stdout, /2 uncommitted files/);

    let r = await braid(sb, repo, ["finish"], { env });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /left out auth \(2 uncommitted files\): run braid finish --commit-wip/);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(readFileSync(join(wt("auth"), "session.txt"), "utf8"), "new file\n");

    r = await braid(sb, repo, ["finish", "--commit-wip", "--json"], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.merge.committedWip.length, 1, "only the done session's work is committed");
    const wip = j.merge.committedWip[0];
    assert.equal(wip.name, "auth");
    assert.equal(wip.files, 2);
    const author = gitIn(sb, repo, "log", "-1", "--format=%an <%ae>", wip.commit);
    assert.equal(author, "Claude (braid session auth) <braid@localhost>");
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%cn", wip.commit), "braid test", "the user commits it");
    assert.match(gitIn(sb, repo, "log", "-1", "--format=%B", wip.commit), /Task: Add user authentication/);
    assert.equal(gitIn(sb, repo, "show", "main:session.txt"), "new file");
    assert.equal(gitIn(sb, repo, "show", "main:auth.txt"), "login\nlogout");
    assert.deepEqual(
      j.clean.removed.map((x: { name: string }) => x.name),
      ["auth"],
    );
    // the working session is never committed for
    assert.equal(readFileSync(join(wt("busy"), "busy.txt"), "utf8"), "half done\n");
    assert.equal(gitIn(sb, wt("busy"), "status", "--porcelain"), "?? busy.txt");

    // naming a working session with --commit-wip: refused, nothing committed
    r = await braid(sb, repo, ["merge", "busy", "--commit-wip"], { env });
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /uncommitted work/);
    assert.equal(gitIn(sb, wt("busy"), "status", "--porcelain"), "?? busy.txt");
  });

  it("--resolve hands a conflict to the session's agent, which merges and commits; the next train lands it", async () => {
    const { repo, wt } = await repoWithSessions(sb, "w2", ["b", "c"]);
    commitIn(sb, wt("b"), { "shared.txt": "b's version\n" });
    commitIn(sb, wt("c"), { "shared.txt": "c's version\n" });
    appendFileSync(join(repo, ".git", "info", "exclude"), "typed.txt\nresolved\n"); // the stand-in's own files
    const start = await braid(sb, repo, ["start", "c", "--agent", "standin", "wait for instructions"], { env });
    assert.equal(start.code, 0, start.stderr);

    const r = await braid(sb, repo, ["merge", "b", "c", "--resolve"], { env });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /merged b \(feature\/b\)/);
    assert.match(r.stdout, /stopped at c: conflict in shared\.txt/);
    assert.match(r.stdout, /handed c back to its agent/);
    assert.match(r.stdout, /next: c's agent is resolving it/);
    await waitFor("the agent resolved", () => existsSync(join(wt("c"), "resolved"))).catch((e) => {
      const pane = spawnSync("tmux", ["-L", socket, "capture-pane", "-p", "-t", "=braid-w2:=c"], { env: sb.env });
      const typedSoFar = existsSync(join(wt("c"), "typed.txt")) ? readFileSync(join(wt("c"), "typed.txt"), "utf8") : "";
      throw new Error(`${(e as Error).message}; typed: ${typedSoFar}; pane:\n${pane.stdout}${pane.stderr}`);
    });
    const typed = readFileSync(join(wt("c"), "typed.txt"), "utf8");
    assert.match(typed, /conflicts with main in shared\.txt.*git merge main.*resolve the conflicts in shared\.txt/);

    const again = await braid(sb, repo, ["merge", "c"], { env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(gitIn(sb, repo, "show", "main:shared.txt"), "c's version\nb's version");
    assert.equal(readFileSync(join(repo, "shared.txt"), "utf8"), "c's version\nb's version\n");
  });

  it("finish stops the agent of a session it removes, and says so", async () => {
    const { repo, wt } = await repoWithSessions(sb, "w3", ["idle1"]);
    const start = await braid(sb, repo, ["start", "idle1", "--agent", "standin", "work"], { env });
    assert.equal(start.code, 0, start.stderr);
    commitIn(sb, wt("idle1"), { "i.txt": "i\n" });
    // The agent finished its turn, as a Stop hook reports it (finish records what it observes before it picks).
    const rt = runtimeOf((await loadContext(repo)).store.require("idle1"));
    const at = new Date().toISOString();
    writeLive(join(repo, ".git", "braid"), "idle1", {
      ...{ runId: rt?.runId ?? "", state: "idle", detail: "turn finished", since: at, at, event: "Stop" },
      ...{ conversationId: null, transcriptPath: null },
    });
    const r = await braid(sb, repo, ["finish"], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /stopped idle1's agent/);
    assert.ok(!existsSync(wt("idle1")));
    assert.equal(gitIn(sb, repo, "show", "main:i.txt"), "i");
  });
});
