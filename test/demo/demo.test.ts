// `braid demo` as a new user runs it (the README's first command): a subprocess with CI=true, no stdin and no
// tmux, from a folder that is not a repository. Asserts the narrated steps in order and the end state: without
// --keep nothing is left (no folder, no process, nothing in the user's braid/git/claude dirs); with --keep the
// repo has the two merges on main and the handed-back session, and the printed env file opens it.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { displayArg } from "../../src/demo/run.js";
import { BRAID_BIN, gitIn, type RunResult } from "../helpers/env.js";
import { useSandbox } from "../helpers/suite.js";

interface View {
  name: string;
  state: string;
  branch: string;
  ahead: number | null;
}

describe("braid demo", () => {
  const sb = useSandbox();
  const tmp = join(sb.root, "tmp");
  const env = (): NodeJS.ProcessEnv => ({
    ...sb.env,
    CI: "true",
    TMPDIR: tmp,
    // a user inside some tmux session and some braid session: the demo must use neither
    TMUX: join(sb.root, "no-such-tmux-socket,1,0"),
    BRAID_SESSION: "outer",
    BRAID_TMUX_SOCKET: "outer",
  });

  /**
   * The demo as a subprocess with no stdin at all (stdin is /dev/null), from a folder outside any repo.
   * `onOutput` sees stdout as it grows (and may signal the process).
   */
  function demo(args: string[], onOutput?: (out: string, child: ChildProcess) => void): Promise<RunResult> {
    mkdirSync(tmp, { recursive: true });
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BRAID_BIN, "demo", ...args], {
        cwd: sb.root,
        env: env(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
        onOutput?.(stdout, child);
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 128, stdout, stderr });
      });
    });
  }

  /** Each needle appears, in this order. */
  function assertInOrder(text: string, needles: (string | RegExp)[]): void {
    let at = 0;
    for (const n of needles) {
      const rest = text.slice(at);
      const m = typeof n === "string" ? rest.indexOf(n) : rest.search(n);
      assert.ok(m >= 0, `expected ${n} after offset ${at} in:\n${text}`);
      at += m + 1;
    }
  }

  const story: (string | RegExp)[] = [
    /^braid demo: .* in (\S+)$/m,
    "▸ A sample repository, greeter",
    `$ braid start greet "Greet people with a comma and an exclamation mark" --owns 'src/greet/**'`,
    "started greet (demo, implementation)",
    "follow: braid status greet",
    `$ braid start math "Add multiply() to the math module" --owns 'src/math/**'`,
    `$ braid start shout "Make greetings loud"`,
    "▸ While the agents work",
    "$ braid status",
    /greet\s+implementation\s+demo\s+working/,
    "$ braid conflicts",
    "conflict greet × shout: src/greet/greet.js, src/greet/greet.test.js",
    "ownership shout changed src/greet/greet.js, owned by greet",
    "▸ The agents commit their work",
    "$ braid status",
    /shout\s+implementation\s+demo\s+done/,
    `$ braid merge --all-done --verify "node test.js"`,
    "merged greet (feature/greet)",
    "merged math (feature/math)",
    "stopped at shout: conflict in src/greet/greet.js",
    "told shout to rebase or merge main",
    "$ braid clean --merged",
    "removed greet (feature/greet",
    "removed math (feature/math",
    "kept shout: not integrated into main",
    "$ git log --oneline --first-parent main",
    "braid: merge math (feature/math)",
    "braid: merge greet (feature/greet)",
    "greeter: greet() and add(), with tests",
  ];

  /** Command lines of processes that mention `dir`, once none are left or after 15 s. */
  async function processesIn(dir: string): Promise<string[]> {
    const running = () =>
      spawnSync("ps", ["-eww", "-o", "args="], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((l) => l.includes(dir));
    const deadline = Date.now() + 15_000;
    while (running().length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    return running();
  }

  const demoDir = (out: string) => /^braid demo: .* in (\S+)$/m.exec(out)?.[1] ?? "";

  it("quotes commands the way a user types them", () => {
    assert.equal(displayArg("start"), "start");
    assert.equal(displayArg("src/greet/**"), "'src/greet/**'");
    assert.equal(displayArg("Make greetings loud"), '"Make greetings loud"');
    assert.equal(displayArg("it's $HOME"), "'it'\\''s $HOME'");
  });

  it("tells the whole story, headless, and leaves nothing behind", async () => {
    const r = await demo([]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stderr, "");
    assertInOrder(r.stdout, [...story, /Done in \d+\.\d s; the demo folder is removed/]);
    const dir = demoDir(r.stdout);
    assert.ok(dir.startsWith(`${tmp}/braid-demo-`), dir);
    assert.equal(existsSync(dir), false, "the demo folder is removed");
    assert.deepEqual(readdirSync(tmp), []);
    // nothing in the user's own places: braid's data and config, Claude's config, git's config
    for (const p of [".local/share/braid", ".config/braid", ".claude", ".claude.json"])
      assert.equal(existsSync(join(sb.home, p)), false, p);
    // and no process of the demo runs on (agents exited before the merge; a background delete of a removed
    // worktree may take a moment to notice its files are gone)
    assert.deepEqual(await processesIn(dir), []);
  });

  it("Ctrl-C stops the agents and removes the folder", async () => {
    let sent = false;
    const r = await demo([], (out, child) => {
      // interrupt while the sessions run: after the first start
      if (!sent && out.includes("started greet")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /^braid: demo interrupted/m);
    const dir = demoDir(r.stdout);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(await processesIn(dir), [], "the waiting agents noticed and exited");
  });

  it("--keep leaves the repo with main's two merges and the handed-back session, ready for braid board", async () => {
    const r = await demo(["--keep"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assertInOrder(r.stdout, [...story, "Kept the demo in", /look around: {2}\. (\S+) && braid board/]);
    const dir = demoDir(r.stdout);
    const repo = join(dir, "greeter");
    const envFile = /look around: {2}\. (\S+) && braid board/.exec(r.stdout)?.[1] ?? "";
    assert.equal(envFile, join(dir, "env"));

    // main: the initial commit, then the merges of greet and math; its tests pass there
    const log = gitIn(sb, repo, "log", "--format=%s", "--first-parent", "main").split("\n");
    assert.deepEqual(log, [
      "braid: merge math (feature/math)",
      "braid: merge greet (feature/greet)",
      "greeter: greet() and add(), with tests",
    ]);
    assert.equal(spawnSync(process.execPath, ["test.js"], { cwd: repo }).status, 0);
    // branches and worktrees: only shout's remain besides main
    assert.deepEqual(gitIn(sb, repo, "branch", "--format=%(refname:short)").split("\n").sort(), [
      "feature/shout",
      "main",
    ]);
    const worktrees = gitIn(sb, repo, "worktree", "list", "--porcelain")
      .split("\n")
      .filter((l) => l.startsWith("worktree "))
      .map((l) => l.slice("worktree ".length));
    // (the train keeps its integration worktree of a conflict for inspection; the next train recovers it)
    assert.deepEqual(
      worktrees.filter((w) => !w.startsWith(join(repo, ".git", "braid", "merge"))),
      [repo, join(dir, "greeter-shout")],
    );
    // shout's own commit still conflicts with main: it was handed back, not dropped
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", "feature/shout"), "shout: HELLO <NAME>");

    // the env file gives a shell the demo's braid: the registry holds shout, done, one commit ahead
    const st = spawnSync("bash", ["-c", `. ${envFile} && braid status --json`], {
      cwd: sb.root,
      env: { ...sb.env, PATH: process.env.PATH },
      encoding: "utf8",
    });
    assert.equal(st.status, 0, st.stderr);
    const views = (JSON.parse(st.stdout) as { sessions: View[] }).sessions;
    assert.deepEqual(
      views.map((v) => [v.name, v.state, v.branch]),
      [["shout", "done", "feature/shout"]],
    );
    // still nothing in the user's own places
    for (const p of [".local/share/braid", ".config/braid", ".claude"])
      assert.equal(existsSync(join(sb.home, p)), false, p);
  });
});
