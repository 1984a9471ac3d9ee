// The watcher daemon as a user meets it: the first `braid conflicts` starts it, the runs after skip the `git status`
// of every worktree in which nothing changed, and any change — an edit, a new folder of files, a new .gitignore, a
// daemon that died — is seen by the next run. It ends by itself when the sessions are gone.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pidAlive } from "../../src/infra/process.js";
import { braid, commitIn, waitFor } from "../helpers/env.js";
import { type GitLog, installGitLog } from "../helpers/git-log.js";
import { useRepo } from "../helpers/suite.js";

describe("the watcher daemon", () => {
  const { sb, repo } = useRepo("app", {
    "a/one.txt": "1\n",
    "b/two.txt": "2\n",
    "vendor/kept.txt": "tracked, in a folder ignored from the next commit on\n",
    ".gitignore": "build/\n*.log\n",
  });
  const watchDir = () => join(repo, ".git", "braid", "watch");
  const wt = (name: string) => join(sb.root, `app-${name}`);
  let gitLog: GitLog;
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = await braid(sb, repo, args, {
      env: { BRAID_WATCH: "1", PATH: `${gitLog.bin}:${sb.env.PATH}`, ...env },
    });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return r;
  };
  /** `conflicts --json`, and how many worktrees it looked at on disk (`git status`, or `git add -A` into its index copy). */
  const conflicts = async () => {
    gitLog.clear();
    const r = await run(["conflicts", "--json"]);
    const report = JSON.parse(r.stdout) as { sessions: Array<{ name: string; changedFiles: number; dirty: boolean }> };
    const looked = gitLog.calls().filter((c) => c.subcommand === "status" || c.subcommand === "add");
    const scans = new Set(looked.map((c) => c.cwd)).size;
    return { scans, sessions: Object.fromEntries(report.sessions.map((s) => [s.name, s.changedFiles])) };
  };
  const daemon = () => {
    try {
      return JSON.parse(readFileSync(join(watchDir(), "state.json"), "utf8")) as {
        pid: number;
        worktrees: Record<string, number>;
        settling: string[];
      };
    } catch {
      return null;
    }
  };
  const watching = (...names: string[]) =>
    waitFor(`the watcher to watch ${names}`, () => {
      const d = daemon();
      return d && names.every((n) => d.worktrees[wt(n)] !== undefined) ? d : null;
    });
  /** The pause after a start is over: the next run may start a daemon again. */
  const pauseOver = () => utimesSync(join(watchDir(), "started"), new Date(0), new Date(0));
  /** Change s1/s2's files with `fn`, and wait until the daemon counted it (new folders in it watched too). */
  const change = async (name: string, fn: () => void) => {
    const before = daemon()?.worktrees[wt(name)] ?? 0;
    fn();
    await waitFor(`the watcher to see the change in ${name}`, () => {
      const d = daemon();
      const gen = d?.worktrees[wt(name)];
      return d && gen !== undefined && gen > before && !d.settling.includes(wt(name));
    });
  };
  /** A change nothing should count: give a watcher that would count it the time to. */
  const unseen = async (fn: () => void) => {
    fn();
    await new Promise((r) => setTimeout(r, 500));
  };

  it("the first run starts it; later runs skip the git status of unchanged worktrees", async () => {
    gitLog = installGitLog(join(sb.root, "shim"), sb.env.PATH);
    commitIn(sb, repo, { ".gitignore": "build/\nvendor/\n*.log\n" }, "ignore vendor/ (its tracked file stays)");
    for (const name of ["s1", "s2"]) assert.equal((await run(["new", name])).code, 0);
    const first = await conflicts();
    assert.equal(first.scans, 2, "no watcher yet: both scanned");
    await watching("s1", "s2");
    assert.equal((await conflicts()).scans, 2, "the run that records the watcher's word still scans");
    assert.deepEqual(await conflicts(), { scans: 0, sessions: { s1: 0, s2: 0 } });
  });

  it("an edit, a new folder of files, an untracked file: only that worktree is scanned, and the change shows", async () => {
    await change("s1", () => writeFileSync(join(wt("s1"), "a", "one.txt"), "1 edited\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 1, s2: 0 } });
    assert.equal((await conflicts()).scans, 0);

    await change("s2", () => {
      mkdirSync(join(wt("s2"), "new", "deep"), { recursive: true });
      writeFileSync(join(wt("s2"), "new", "deep", "file.txt"), "x\n");
    });
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 1, s2: 1 } });
    // the new folder is watched too: a second file in it is seen
    await change("s2", () => writeFileSync(join(wt("s2"), "new", "deep", "other.txt"), "y\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 1, s2: 2 } });
  });

  it("what git ignores is not watched; a .gitignore that stops ignoring it makes it watched", async () => {
    await change("s1", () => mkdirSync(join(wt("s1"), "build"), { recursive: true }));
    await conflicts(); // the new (ignored) folder's event
    await unseen(() => writeFileSync(join(wt("s1"), "build", "out.js"), "ignored\n"));
    assert.equal((await conflicts()).scans, 0, "a change git ignores wakes nobody");

    await change("s1", () => writeFileSync(join(wt("s1"), ".gitignore"), "dist/\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 3, s2: 2 } }, ".gitignore edited, build/out.js");
    await change("s1", () => writeFileSync(join(wt("s1"), "build", "more.js"), "now tracked\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 4, s2: 2 } });

    // a folder holding only ignored files is no ignored folder: what comes into it later counts
    await change("s2", () => {
      mkdirSync(join(wt("s2"), "logs"));
      writeFileSync(join(wt("s2"), "logs", "run.log"), "ignored\n");
    });
    await conflicts();
    await change("s2", () => writeFileSync(join(wt("s2"), "logs", "notes.txt"), "not ignored\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 4, s2: 3 } });
    // a tracked file in an ignored folder is still compared, so watched
    await change("s2", () => writeFileSync(join(wt("s2"), "vendor", "kept.txt"), "edited\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 4, s2: 4 } });
  });

  it("a daemon that died is not trusted; the next run starts another", async () => {
    const before = await watching("s1", "s2");
    process.kill(before.pid, "SIGKILL");
    await waitFor("the daemon gone", () => !pidAlive(before.pid));
    writeFileSync(join(wt("s2"), "b", "two.txt"), "edited while nobody watched\n");
    // within its restart pause no second daemon starts: the old state file says nothing, both are scanned
    const r = await conflicts();
    assert.deepEqual(r, { scans: 2, sessions: { s1: 4, s2: 5 } });
    pauseOver();
    await conflicts();
    const after = await waitFor("a new daemon", () => {
      const d = daemon();
      return d && d.pid !== before.pid && pidAlive(d.pid) ? d : null;
    });
    assert.notEqual(after.pid, before.pid);
  });

  it("a worktree folder replaced by another at the same path is watched anew", async () => {
    const d = await watching("s1", "s2");
    // the registry does not change: only the folder's identity tells the old watches see nothing any more
    renameSync(wt("s2"), `${wt("s2")}.old`);
    cpSync(`${wt("s2")}.old`, wt("s2"), { recursive: true, preserveTimestamps: true });
    await conflicts();
    await change("s2", () => writeFileSync(join(wt("s2"), "a", "one.txt"), "in the new folder\n"));
    assert.deepEqual(await conflicts(), { scans: 1, sessions: { s1: 4, s2: 6 } });
    // removed only now: its folders' events name paths the new folder has, and would set watches there by chance
    rmSync(`${wt("s2")}.old`, { recursive: true, force: true });
    assert.equal(daemon()?.pid, d.pid, "the same daemon");
  });

  it("BRAID_WATCH=0 or `watch = false` in braid.toml: no daemon starts", async () => {
    const d = await watching("s1", "s2");
    for (const name of ["s1", "s2"]) assert.equal((await run(["rm", name, "--force"])).code, 0);
    await waitFor("the daemon to end without sessions", () => !pidAlive(d.pid), 20_000);
    assert.ok(!existsSync(join(watchDir(), "state.json")), "it leaves no state behind");
    assert.ok(!existsSync(join(watchDir(), "daemon.lock")));

    assert.equal((await run(["new", "s3"])).code, 0);
    pauseOver();
    await run(["conflicts", "--json"], { BRAID_WATCH: "0" });
    writeFileSync(join(repo, "braid.toml"), "watch = false\n");
    await run(["conflicts", "--json"]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(daemon(), null, "no daemon");
    // the same with the watcher allowed: one starts (so the two above could have)
    writeFileSync(join(repo, "braid.toml"), "");
    await run(["conflicts", "--json"]);
    const d3 = await watching("s3");
    assert.equal((await run(["rm", "s3", "--force"])).code, 0);
    await waitFor("the last daemon to end", () => !pidAlive(d3.pid), 20_000);
  });
});
