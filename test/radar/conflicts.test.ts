import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadContext } from "../../src/project/context.js";
import { checkOwnership } from "../../src/radar/guard.js";
import { conflictSummary } from "../../src/radar/radar.js";
import {
  BRAID_BIN,
  braid,
  gitIn,
  isOneLineError,
  makeRepo,
  makeSandbox,
  type Sandbox,
  writeFiles,
} from "../helpers/env.js";

const lines = (n: number, tag = "") => Array.from({ length: n }, (_, i) => `line ${i + 1}${tag}`).join("\n") + "\n";

describe("braid conflicts (radar)", () => {
  let sb: Sandbox;
  let repo: string;
  const wt = (name: string) => join(sb.root, `app-${name}`);
  let prevEnv: NodeJS.ProcessEnv;

  before(async () => {
    sb = makeSandbox();
    prevEnv = { ...process.env };
    // The in-process API (conflictSummary, checkOwnership) must see the sandbox HOME too.
    Object.assign(process.env, sb.env);
    repo = makeRepo(sb, "app", { "a.txt": lines(20), "b.txt": lines(20), "src/api/x.ts": "x\n", "src/ui/y.ts": "y\n" });
    for (const n of ["one", "two", "three", "four"]) {
      const r = await braid(sb, repo, ["new", n]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => {
    process.env = prevEnv;
    sb.cleanup();
  });

  it("reports overlapping uncommitted edits in two worktrees as a conflict before anything is committed", async () => {
    const indexPath = join(repo, ".git", "worktrees", "app-one", "index");
    writeFileSync(join(wt("one"), "a.txt"), lines(20).replace("line 3\n", "line 3 by one\n"));
    writeFileSync(join(wt("two"), "a.txt"), lines(20).replace("line 3\n", "line 3 by two\n"));
    // untracked files count too: both create the same new file differently
    writeFiles(wt("one"), { "new.txt": "one\n" });
    writeFiles(wt("two"), { "new.txt": "two\n" });
    // a third session edits a different part of a.txt: shared file, clean merge
    writeFileSync(join(wt("three"), "a.txt"), lines(20).replace("line 18\n", "line 18 by three\n"));
    const indexBefore = readFileSync(indexPath);
    const mtimeBefore = statSync(indexPath).mtimeMs;

    const r = await braid(sb, repo, ["conflicts", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const pair = (a: string, b: string) =>
      j.pairs.find((p: { a: string; b: string }) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
    assert.equal(pair("one", "two").status, "conflict");
    assert.deepEqual([...pair("one", "two").conflictFiles].sort(), ["a.txt", "new.txt"]);
    assert.equal(pair("one", "three").status, "same-files");
    assert.deepEqual(pair("one", "three").sharedFiles, ["a.txt"]);
    assert.equal(pair("one", "four").status, "clean");
    const one = j.sessions.find((s: { name: string }) => s.name === "one");
    assert.equal(one.dirty, true);
    assert.deepEqual(one.conflictsWith, ["two"]);

    // the agent's own index and files were not touched
    assert.deepEqual(readFileSync(indexPath), indexBefore);
    assert.equal(statSync(indexPath).mtimeMs, mtimeBefore);
    assert.match(gitIn(sb, wt("one"), "status", "--porcelain"), /^ M a\.txt\n\?\? new\.txt$/);
    assert.equal(gitIn(sb, wt("one"), "rev-parse", "HEAD"), gitIn(sb, repo, "rev-parse", "main"));
  });

  it("re-creates a cached snapshot whose object was pruned", async () => {
    const j1 = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    const snap = j1.sessions.find((s: { name: string }) => s.name === "one").snapshot as string;
    rmSync(join(repo, ".git", "objects", snap.slice(0, 2), snap.slice(2)));
    const j2 = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    assert.equal(j2.sessions.find((s: { name: string }) => s.name === "one").snapshot, snap);
    assert.equal(j2.pairs.find((p: { a: string; b: string }) => p.a === "one" && p.b === "two").status, "conflict");
  });

  it("draws a readable matrix naming the conflicting files", async () => {
    const r = await braid(sb, repo, ["conflicts"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /one\*\s+-\s+CONFLICT\(2\)\s+same\(1\)\s+ok/);
    assert.match(r.stdout, /conflict one × two: (a\.txt, new\.txt|new\.txt, a\.txt)/);
  });

  it("checks each session against the current base tip", async () => {
    writeFileSync(join(repo, "b.txt"), lines(20).replace("line 5\n", "line 5 on main\n"));
    gitIn(sb, repo, "commit", "-qam", "main edits b");
    writeFileSync(join(wt("four"), "b.txt"), lines(20).replace("line 5\n", "line 5 by four\n"));
    const j = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    const vsBase = j.withBase.find((p: { a: string }) => p.a === "four");
    assert.equal(vsBase.b, "main");
    assert.equal(vsBase.status, "conflict");
    assert.deepEqual(vsBase.conflictFiles, ["b.txt"]);
    assert.equal(j.withBase.find((p: { a: string }) => p.a === "one").status, "clean");
  });

  it("sees new uncommitted changes on the next run (snapshot cache is keyed on content)", async () => {
    writeFileSync(join(wt("two"), "a.txt"), lines(20)); // two reverts its a.txt edit; new.txt remains
    const j = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    const p = j.pairs.find((x: { a: string; b: string }) => x.a === "one" && x.b === "two");
    assert.deepEqual(p.conflictFiles, ["new.txt"]);
  });

  it("handles a detached HEAD and a missing worktree without failing", async () => {
    gitIn(sb, wt("three"), "checkout", "-q", "--detach");
    const r = await braid(sb, repo, ["new", "gone"]);
    assert.equal(r.code, 0, r.stderr);
    gitIn(sb, repo, "worktree", "remove", "--force", wt("gone"));
    const j = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    assert.ok(j.sessions.some((s: { name: string }) => s.name === "three"));
    assert.match(j.skipped.find((s: { name: string }) => s.name === "gone").reason, /worktree missing/);
  });

  it("flags changes outside owned paths and inside paths another session owns; the guard warns or denies", async () => {
    const ctx = await loadContext(repo);
    await ctx.store.patch("one", { owns: ["src/api/**"] });
    await ctx.store.patch("two", { owns: ["src/ui/**"] });
    writeFiles(wt("one"), { "src/ui/y.ts": "changed by one\n" });
    const j = JSON.parse((await braid(sb, repo, ["conflicts", "--json"])).stdout);
    const issues = j.ownership.filter((o: { session: string }) => o.session === "one");
    assert.ok(
      issues.some(
        (o: { file: string; kind: string; owner: string }) =>
          o.file === "src/ui/y.ts" && o.kind === "owned-by-other" && o.owner === "two",
      ),
    );
    assert.ok(issues.some((o: { file: string; kind: string }) => o.file === "a.txt" && o.kind === "outside-owned"));

    const warn = await checkOwnership(ctx, "one", join(wt("one"), "src/ui/y.ts"));
    assert.equal(warn.decision, "warn");
    assert.match(warn.reason ?? "", /owned by braid session "two"/);
    assert.equal((await checkOwnership(ctx, "one", join(wt("one"), "src/api/new-file.ts"))).decision, "allow");
    assert.equal((await checkOwnership(ctx, "three", join(wt("three"), "README.md"))).decision, "allow");
    assert.equal((await checkOwnership(ctx, "one", "/etc/passwd")).decision, "allow");
    const deny = await checkOwnership(
      { ...ctx, config: { ...ctx.config, guard: "deny" } },
      "four",
      join(wt("four"), "src/api/x.ts"),
    );
    assert.equal(deny.decision, "deny");
    assert.match(deny.reason ?? "", /"one"/);
  });

  it("conflictSummary gives per-session conflict names for status and the board", async () => {
    const s = await conflictSummary(await loadContext(repo));
    assert.deepEqual(s.one, ["two"]);
    assert.deepEqual(s.two, ["one"]);
    assert.deepEqual(s.four, []);
    const st = await braid(sb, repo, ["status", "--json"]);
    assert.equal(st.code, 0, st.stderr);
    const views = JSON.parse(st.stdout).sessions as Array<{ name: string; conflictsWith: string[] }>;
    assert.deepEqual(views.find((v) => v.name === "two")?.conflictsWith, ["one"]);
    const table = await braid(sb, repo, ["status"]);
    assert.match(table.stdout, /CONFLICTS/);
  });

  it("--watch --json prints one report per line, picking up new edits between ticks", async () => {
    const child = spawn(process.execPath, [BRAID_BIN, "conflicts", "--watch", "--json", "--interval", "0.5"], {
      cwd: repo,
      env: sb.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const reports: Array<{ pairs: Array<{ a: string; b: string; conflictFiles: string[] }> }> = [];
    let buf = "";
    let edited = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch produced ${reports.length} reports`)), 90_000);
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          reports.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf("\n");
        }
        if (reports.length >= 1 && !edited) {
          edited = true;
          writeFileSync(join(wt("two"), "a.txt"), lines(20).replace("line 3\n", "line 3 by two again\n"));
        }
        const last = reports.at(-1);
        const p = last?.pairs.find((x) => x.a === "one" && x.b === "two");
        if (reports.length >= 2 && p?.conflictFiles.includes("a.txt")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGTERM");
    const first = reports[0]?.pairs.find((x) => x.a === "one" && x.b === "two");
    assert.deepEqual(first?.conflictFiles, ["new.txt"]);
  });

  for (const bad of ["abc", "-1", "0", ""]) {
    it(`--interval ${JSON.stringify(bad)} is refused with one line, not silently replaced`, async () => {
      const r = await braid(sb, repo, ["conflicts", "--watch", "--json", "--interval", bad]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /--interval must be a number of seconds from 0.5 to 3600/);
      // no report before the error: stdout holds only the error's JSON form
      assert.equal(Object.keys(JSON.parse(r.stdout)).join(), "error", r.stdout);
    });
  }
});
