/**
 * The worktree pool as a user meets it (docs/pool.md): `pool = N`, `braid pool fill`, `braid new` taking a
 * spare, with real git. Background fillers are off (BRAID_POOL_BACKGROUND=0) except where a test says so:
 * each test fills the pool itself, so what it checks does not race a filler.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BRAID_BIN,
  braid,
  commitIn,
  gitIn,
  makeRepo,
  makeSandbox,
  type Sandbox,
  waitFor,
  writeFiles,
} from "../helpers/env.js";

/** Every entry under `dir` except .git: path → kind, mode and content (or link target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (rel === ".git") continue;
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(p);
      } else out[rel] = `file ${mode} nlink=${st.nlink} ${readFileSync(p, "utf8")}`;
    }
  };
  walk(dir);
  return out;
}

function globalConfig(sb: Sandbox, text: string): void {
  mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
  writeFileSync(join(sb.home, ".config", "braid", "config.toml"), `max_code_sessions = 64\n${text}`);
}

const json = async (sb: Sandbox, cwd: string, args: string[]) => {
  const r = await braid(sb, cwd, [...args, "--json"]);
  assert.equal(r.code, 0, `braid ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** A repo like a real project: tracked files, an ignored node_modules (with a symlink), a .worktreeinclude'd .env. */
function projectRepo(sb: Sandbox, name: string, toml: string): string {
  const repo = makeRepo(sb, name, {
    ".gitignore": "node_modules/\n.env\n.setup-marker\n",
    ".worktreeinclude": ".env\n",
    "src/a.js": "a\n",
    "src/b.js": "b\n",
    "bin/run.sh": "#!/bin/sh\n",
    "braid.toml": toml,
  });
  writeFiles(repo, {
    ".env": "SECRET=1\n",
    "node_modules/pkg/index.js": "module.exports = 1;\n",
    "node_modules/pkg/package.json": '{"name":"pkg"}\n',
  });
  mkdirSync(join(repo, "node_modules/.bin"), { recursive: true });
  symlinkSync("../pkg/index.js", join(repo, "node_modules/.bin/pkg"));
  return repo;
}

describe("worktree pool", () => {
  let sb: Sandbox;
  before(() => {
    sb = makeSandbox();
    sb.env.BRAID_POOL_BACKGROUND = "0";
  });
  after(() => sb.cleanup());

  it("a spare from the pool is indistinguishable from a fresh worktree (files, copy dir, setup, branch, record)", async () => {
    const repo = projectRepo(
      sb,
      "same",
      'copy = ["node_modules"]\nsetup = ["echo ready > .setup-marker && chmod 600 .setup-marker"]\n',
    );
    assert.equal((await braid(sb, repo, ["trust"])).code, 0);
    globalConfig(sb, "pool = 0\n");
    const fresh = await json(sb, repo, ["new", "fresh"]);
    assert.equal(fresh.spare, undefined, "pool = 0 takes no spare");
    globalConfig(sb, "pool = 1\n");
    const fill = await json(sb, repo, ["pool", "fill"]);
    assert.equal(fill.made, 1);
    assert.equal(fill.ready, 1);
    const taken = await json(sb, repo, ["new", "pooled"]);
    assert.ok(taken.spare, "took a spare");

    // Files: tracked content, modes, the copied node_modules (real copies, symlink kept), .env, setup's marker.
    const a = snapshot(fresh.path);
    const b = snapshot(taken.path);
    assert.deepEqual(b, a);
    assert.equal(readFileSync(join(taken.path, ".setup-marker"), "utf8"), "ready\n");
    assert.equal(readFileSync(join(taken.path, ".env"), "utf8"), "SECRET=1\n");
    assert.ok(lstatSync(join(taken.path, "node_modules/.bin/pkg")).isSymbolicLink());
    // git's view: branch, HEAD, status, no upstream, a worktree git lists at the session's path.
    assert.equal(gitIn(sb, taken.path, "branch", "--show-current"), "feature/pooled");
    assert.equal(gitIn(sb, taken.path, "rev-parse", "HEAD"), gitIn(sb, fresh.path, "rev-parse", "HEAD"));
    assert.equal(gitIn(sb, taken.path, "status", "--porcelain"), gitIn(sb, fresh.path, "status", "--porcelain"));
    assert.equal(gitIn(sb, taken.path, "status", "--porcelain"), "");
    assert.equal(gitIn(sb, taken.path, "rev-parse", "--show-toplevel"), taken.path);
    assert.match(gitIn(sb, repo, "worktree", "list", "--porcelain"), new RegExp(`worktree ${taken.path}\\n`));
    // The registry record and the bootstrap report (timings aside).
    const strip = (s: Record<string, unknown>) => {
      const { name, branch, path, createdAt, statusSince, order, spare, bootstrap, ...rest } = s;
      const boot = bootstrap as { copied: Array<Record<string, unknown>> };
      return { ...rest, bootstrap: { ...boot, copied: boot.copied.map(({ ms, ...c }) => c) } };
    };
    assert.deepEqual(strip(taken), strip(fresh));
    const ls = await json(sb, repo, ["ls"]);
    const row = ls.worktrees.find((w: { path: string }) => w.path === taken.path);
    assert.equal(row.session, "pooled");
    assert.equal(row.spare, false);
    assert.equal(row.dirty, false);
    // Writes in the taken worktree's node_modules stay there (a copy, not a link to the main one).
    writeFileSync(join(taken.path, "node_modules/pkg/index.js"), "changed\n");
    assert.equal(readFileSync(join(repo, "node_modules/pkg/index.js"), "utf8"), "module.exports = 1;\n");
    // rm of a session made from a spare works as for any other.
    assert.equal((await braid(sb, repo, ["rm", "pooled", "--force"])).code, 0);
    assert.equal((await braid(sb, repo, ["rm", "fresh", "--force"])).code, 0);
  });

  it("refreshes a spare to the new base tip by delta, and `new` then starts from that tip", async () => {
    const repo = projectRepo(sb, "moves", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const [before] = (await json(sb, repo, ["pool"])).spares;
    const tip = commitIn(sb, repo, { "src/new.js": "new\n" }, "base moves");
    const list = await json(sb, repo, ["pool"]);
    assert.equal(list.spares[0].baseCommit, before.baseCommit, "not refreshed yet");
    // A `new` now must not use the stale spare: it starts from the tip like a fresh worktree.
    const r = await json(sb, repo, ["pool", "fill"]);
    assert.equal(r.refreshed, 1, JSON.stringify(r));
    assert.equal(r.made, 0);
    const [after1] = (await json(sb, repo, ["pool"])).spares;
    assert.equal(after1.path, before.path, "the same spare, moved by delta");
    assert.equal(after1.baseCommit, tip);
    assert.equal(gitIn(sb, after1.path, "rev-parse", "HEAD"), tip);
    const s = await json(sb, repo, ["new", "after-move"]);
    assert.ok(s.spare);
    assert.equal(s.baseCommit, tip);
    assert.equal(readFileSync(join(s.path, "src/new.js"), "utf8"), "new\n");
    assert.equal(gitIn(sb, s.path, "status", "--porcelain"), "");
  });

  it("a stale spare is not taken: `new` falls back to a fresh worktree at the tip", async () => {
    const repo = projectRepo(sb, "stale", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const tip = commitIn(sb, repo, { "src/c.js": "c\n" }, "moves");
    const s = await json(sb, repo, ["new", "fallback"]);
    assert.equal(s.spare, undefined);
    assert.equal(s.baseCommit, tip);
    assert.equal(readFileSync(join(s.path, "node_modules/pkg/index.js"), "utf8"), "module.exports = 1;\n");
    // A dirty spare is discarded, never used.
    const [sp] = (await json(sb, repo, ["pool"])).spares;
    writeFileSync(join(sp.path, "src/a.js"), "someone wrote here\n");
    const r = await json(sb, repo, ["pool", "fill"]);
    assert.equal(r.discarded.length, 1, JSON.stringify(r));
    assert.equal(r.made, 1);
    assert.ok(!existsSync(sp.path), "the dirty spare is gone");
    assert.notEqual((await json(sb, repo, ["pool"])).spares[0].path, sp.path);
  });

  it("two `new` at once take different spares", async () => {
    const repo = projectRepo(sb, "race", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 2\n");
    assert.equal((await json(sb, repo, ["pool", "fill"])).ready, 2);
    const [x, y] = await Promise.all([
      braid(sb, repo, ["new", "one", "--json"]),
      braid(sb, repo, ["new", "two", "--json"]),
    ]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(y.code, 0, y.stderr);
    const [a, b] = [JSON.parse(x.stdout), JSON.parse(y.stdout)];
    assert.ok(a.spare && b.spare, "both took a spare");
    assert.notEqual(a.spare, b.spare);
    assert.notEqual(a.path, b.path);
    assert.equal(gitIn(sb, a.path, "branch", "--show-current"), "feature/one");
    assert.equal(gitIn(sb, b.path, "branch", "--show-current"), "feature/two");
    assert.deepEqual((await json(sb, repo, ["pool"])).spares, []);
  });

  it("kill -9 during a refill leaves nothing `doctor --fix` cannot clean", async () => {
    const repo = projectRepo(sb, "killed", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    for (const point of ["pool-fill-after-checkout", "pool-refresh-before-ready"]) {
      if (point === "pool-refresh-before-ready") {
        await json(sb, repo, ["pool", "fill"]);
        commitIn(sb, repo, { [`src/${point}.js`]: "x\n" }, "moves");
      }
      const mark = join(sb.root, `${point}.mark`);
      const child = spawn(process.execPath, [BRAID_BIN, "pool", "fill"], {
        cwd: repo,
        env: { ...sb.env, BRAID_FAULT_PAUSE: point, BRAID_FAULT_MARK: mark },
        stdio: "ignore",
      });
      const exited = new Promise((r) => child.on("exit", r));
      await waitFor(`the filler to reach ${point}`, () => existsSync(mark), 60_000);
      child.kill("SIGKILL");
      await exited;
      const found = await braid(sb, repo, ["doctor", "--json"]);
      const report = JSON.parse(found.stdout);
      const stale = report.findings.filter((f: { kind: string }) => f.kind === "stale-spare");
      assert.ok(stale.length >= 1, `${point}: ${found.stdout}`);
      assert.match(stale[0].message, /half made/);
      const fixed = JSON.parse((await braid(sb, repo, ["doctor", "--fix", "--json"])).stdout);
      assert.ok(
        fixed.findings
          .filter((f: { kind: string }) => f.kind === "stale-spare")
          .every((f: { fixed: boolean }) => f.fixed),
      );
      const again = JSON.parse((await braid(sb, repo, ["doctor", "--json"])).stdout);
      const pooled = again.findings.filter(
        (f: { kind: string; where: string }) => f.kind === "stale-spare" || f.where.includes("/braid/pool/"),
      );
      assert.deepEqual(pooled, [], JSON.stringify(again));
      assert.deepEqual((await json(sb, repo, ["pool"])).spares, []);
      assert.doesNotMatch(gitIn(sb, repo, "worktree", "list", "--porcelain"), /braid\/pool\//);
      const left = existsSync(join(repo, ".git/braid/pool"))
        ? readdirSync(join(repo, ".git/braid/pool")).filter((n) => n.startsWith("spare-"))
        : [];
      assert.deepEqual(left, []);
    }
    // The pool works again afterwards.
    assert.equal((await json(sb, repo, ["pool", "fill"])).ready, 1);
  });

  it("kill -9 of a `new` taking a spare: doctor --fix rolls the session back and removes the orphan spare", async () => {
    const repo = projectRepo(sb, "killtake", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const mark = join(sb.root, "take.mark");
    const child = spawn(process.execPath, [BRAID_BIN, "new", "cut"], {
      cwd: repo,
      env: { ...sb.env, BRAID_FAULT_PAUSE: "pool-after-claim", BRAID_FAULT_MARK: mark },
      stdio: "ignore",
    });
    const exited = new Promise((r) => child.on("exit", r));
    await waitFor("new to claim the spare", () => existsSync(mark), 60_000);
    child.kill("SIGKILL");
    await exited;
    const found = JSON.parse((await braid(sb, repo, ["doctor", "--json"])).stdout);
    const kinds = found.findings.map((f: { kind: string }) => f.kind);
    assert.ok(kinds.includes("incomplete"), JSON.stringify(found));
    assert.ok(kinds.includes("stale-spare"), JSON.stringify(found));
    await braid(sb, repo, ["doctor", "--fix", "--json"]);
    const again = JSON.parse((await braid(sb, repo, ["doctor", "--json"])).stdout);
    assert.deepEqual(
      again.findings.filter((f: { severity: string }) => f.severity === "error"),
      [],
      JSON.stringify(again),
    );
    assert.doesNotMatch(gitIn(sb, repo, "worktree", "list", "--porcelain"), /braid\/pool\//);
    assert.doesNotMatch(gitIn(sb, repo, "branch", "--list"), /feature\/cut/);
    // The same name works again, from a fresh spare.
    await json(sb, repo, ["pool", "fill"]);
    const s = await json(sb, repo, ["new", "cut"]);
    assert.ok(s.spare);
  });

  it("spares show in `ls --json` and `pool`, never as sessions in status, rm or clean", async () => {
    const repo = projectRepo(sb, "visible", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 2\n");
    await json(sb, repo, ["pool", "fill"]);
    const ls = await json(sb, repo, ["ls"]);
    const spares = ls.worktrees.filter((w: { spare: boolean }) => w.spare);
    assert.equal(spares.length, 2);
    for (const w of spares) assert.equal(w.session, null);
    assert.equal(ls.worktrees.filter((w: { spare: boolean; main: boolean }) => !w.spare && !w.main).length, 0);
    const status = await json(sb, repo, ["status"]);
    assert.deepEqual(status.sessions, []);
    const clean = await braid(sb, repo, ["clean", "--json"]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal((await json(sb, repo, ["pool"])).spares.length, 2, "clean leaves spares alone");
    const rm = await braid(sb, repo, ["rm", `spare-${spares[0].path.split("spare-")[1]}`]);
    assert.notEqual(rm.code, 0, "a spare is no session to rm");
    assert.equal((await json(sb, repo, ["pool"])).spares.length, 2);
    // The radar sees no sessions either.
    const conflicts = await braid(sb, repo, ["conflicts", "--json"]);
    assert.equal(conflicts.code, 0, conflicts.stderr);
    assert.doesNotMatch(conflicts.stdout, /spare-/);
    // pool = 0 then `pool fill`: the spares go.
    globalConfig(sb, "pool = 0\n");
    const r = await json(sb, repo, ["pool", "fill"]);
    assert.equal(r.discarded.length, 2);
    assert.equal((await json(sb, repo, ["ls"])).worktrees.filter((w: { spare: boolean }) => w.spare).length, 0);
  });

  it("untrusted setup does not run in a spare; after `braid trust` new spares get it", async () => {
    const repo = projectRepo(sb, "untrusted", 'copy = ["node_modules"]\nsetup = ["echo ran > .setup-marker"]\n');
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const [sp] = (await json(sb, repo, ["pool"])).spares;
    assert.ok(!existsSync(join(sp.path, ".setup-marker")), "setup did not run in the spare");
    const s = await json(sb, repo, ["new", "u1"]);
    assert.ok(s.spare);
    assert.equal(s.bootstrap.setup.trusted, false);
    assert.equal(s.bootstrap.setup.ran, false);
    assert.ok(!existsSync(join(s.path, ".setup-marker")));
    assert.ok(existsSync(join(s.path, "node_modules/pkg/index.js")), "the copy dirs are there");
    await json(sb, repo, ["pool", "fill"]);
    assert.equal((await braid(sb, repo, ["trust"])).code, 0);
    // The spare made before the trust is stale: `new` does not take it, and the filler remakes it.
    const before = (await json(sb, repo, ["pool"])).spares[0];
    const fill = await json(sb, repo, ["pool", "fill"]);
    assert.equal(fill.discarded.length, 1, JSON.stringify(fill));
    const [now] = (await json(sb, repo, ["pool"])).spares;
    assert.notEqual(now.path, before.path);
    assert.equal(readFileSync(join(now.path, ".setup-marker"), "utf8"), "ran\n");
    const t = await json(sb, repo, ["new", "u2"]);
    assert.ok(t.spare);
    assert.equal(t.bootstrap.setup.ran, true);
  });

  it("setup that needs the session (its name) runs when a session takes the spare", async () => {
    const repo = projectRepo(sb, "bound", 'copy = ["node_modules"]\nsetup = ["echo $BRAID_NAME > .setup-marker"]\n');
    assert.equal((await braid(sb, repo, ["trust"])).code, 0);
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const [sp] = (await json(sb, repo, ["pool"])).spares;
    assert.ok(!existsSync(join(sp.path, ".setup-marker")), "deferred to the taker");
    const s = await json(sb, repo, ["new", "named"]);
    assert.ok(s.spare);
    assert.equal(readFileSync(join(s.path, ".setup-marker"), "utf8"), "named\n");
    assert.equal(s.bootstrap.setup.ran, true);
  });

  it("`new` refills the pool in the background (low priority) after taking a spare", async () => {
    const repo = projectRepo(sb, "refill", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    await json(sb, repo, ["pool", "fill"]);
    const r = await braid(sb, repo, ["new", "bg", "--json"], { env: { BRAID_POOL_BACKGROUND: "1" } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).spare);
    await waitFor(
      "the background filler to make a new spare",
      async () =>
        (await json(sb, repo, ["pool"])).spares.filter((s: { state: string }) => s.state === "ready").length === 1,
      90_000,
    );
    // Wait for the filler to let go of its lock before the sandbox goes.
    await waitFor("the filler to finish", async () => !(await json(sb, repo, ["pool"])).filling, 90_000);
  });

  it("a merge train that moves the base refreshes the spares in the background", async () => {
    const repo = projectRepo(sb, "trained", 'copy = ["node_modules"]\n');
    globalConfig(sb, "pool = 1\n");
    const s = await json(sb, repo, ["new", "feat"]);
    await json(sb, repo, ["pool", "fill"]);
    const [before] = (await json(sb, repo, ["pool"])).spares;
    commitIn(sb, s.path, { "src/feat.js": "feat\n" }, "feat");
    const m = await braid(sb, repo, ["merge", "feat", "--json"], { env: { BRAID_POOL_BACKGROUND: "1" } });
    assert.equal(m.code, 0, m.stderr);
    const tip = gitIn(sb, repo, "rev-parse", "main");
    assert.notEqual(tip, before.baseCommit);
    await waitFor(
      "the spare at the new base tip",
      async () => {
        const [spare] = (await json(sb, repo, ["pool"])).spares;
        return spare?.state === "ready" && spare.baseCommit === tip && !(await json(sb, repo, ["pool"])).filling;
      },
      90_000,
    );
    const [after1] = (await json(sb, repo, ["pool"])).spares;
    assert.equal(readFileSync(join(after1.path, "src/feat.js"), "utf8"), "feat\n");
  });
});
