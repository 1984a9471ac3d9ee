import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn, isOneLineError, makeRepo } from "../helpers/env.js";
import { useSandbox } from "../helpers/suite.js";

interface Finding {
  kind: string;
  where: string;
  fixable: boolean;
  fixed: boolean;
  severity: string;
}

describe("braid doctor", () => {
  const sb = useSandbox();
  let n = 0;
  /** A fresh repo with one braid session "s1". */
  const setup = async (): Promise<{ repo: string; wt: string }> => {
    const repo = makeRepo(sb, `d${++n}`);
    const r = await braid(sb, repo, ["new", "s1", "--json", "--no-bootstrap"]);
    assert.equal(r.code, 0, r.stderr);
    return { repo, wt: JSON.parse(r.stdout).path };
  };
  const doctor = async (repo: string, fix = false) => {
    const r = await braid(sb, repo, ["doctor", "--json", ...(fix ? ["--fix"] : [])]);
    assert.ok(r.stdout.startsWith("{"), r.stderr);
    return { code: r.code, report: JSON.parse(r.stdout) as { findings: Finding[]; ok: boolean } };
  };
  const kinds = (fs: Finding[]) => fs.map((f) => f.kind).sort();

  it("reports nothing on a healthy repo", async () => {
    const { repo } = await setup();
    const { code, report } = await doctor(repo);
    assert.equal(code, 0);
    assert.deepEqual(report.findings, []);
    assert.match((await braid(sb, repo, ["doctor"])).stdout, /no problems found/);
  });

  it("unlocks a stale 'initializing' lock, but only reports a lock with a human reason", async () => {
    const { repo, wt } = await setup();
    gitIn(sb, repo, "worktree", "lock", "--reason", "initializing", wt);
    const id = readdirSync(join(repo, ".git", "worktrees"))[0] as string;
    const old = new Date(Date.now() - 3 * 3_600_000);
    utimesSync(join(repo, ".git", "worktrees", id, "locked"), old, old);
    const before = await doctor(repo);
    assert.equal(before.code, 1);
    assert.deepEqual(kinds(before.report.findings), ["locked"]);
    assert.equal(before.report.findings[0]?.fixable, true);
    const fixed = await doctor(repo, true);
    assert.equal(fixed.code, 0);
    assert.equal(fixed.report.findings[0]?.fixed, true);
    assert.ok(!existsSync(join(repo, ".git", "worktrees", id, "locked")));

    gitIn(sb, repo, "worktree", "lock", "--reason", "on a usb drive", wt);
    const user = await doctor(repo, true);
    assert.equal(user.report.findings[0]?.fixable, false);
    assert.equal(user.report.findings[0]?.severity, "info");
    assert.ok(existsSync(join(repo, ".git", "worktrees", id, "locked")), "a user's lock is never removed");
  });

  it("prunes a worktree whose directory is gone and drops its registry entry, keeping the branch", async () => {
    const { repo, wt } = await setup();
    gitIn(sb, repo, "worktree", "add", "-q", join(sb.root, "other-dir"), "-b", "other");
    rmSync(join(sb.root, "other-dir"), { recursive: true, force: true });
    rmSync(wt, { recursive: true, force: true });
    const { code, report } = await doctor(repo);
    assert.equal(code, 1);
    assert.deepEqual(kinds(report.findings), ["prunable", "prunable", "vanished"]);
    const fixed = await doctor(repo, true);
    assert.ok(fixed.report.findings.every((f) => f.fixed));
    assert.equal(gitIn(sb, repo, "worktree", "list").split("\n").length, 1);
    assert.notEqual(gitIn(sb, repo, "branch", "--list", "feature/s1"), "");
    assert.deepEqual((await doctor(repo)).report.findings, []);
  });

  it("repairs a worktree whose .git file points nowhere", async () => {
    const { repo, wt } = await setup();
    writeFileSync(join(wt, ".git"), "gitdir: /nonexistent/worktrees/x\n");
    const { report } = await doctor(repo);
    assert.deepEqual(kinds(report.findings), ["corrupt-worktree"]);
    const fixed = await doctor(repo, true);
    assert.equal(fixed.code, 0, JSON.stringify(fixed.report));
    assert.equal(gitIn(sb, wt, "symbolic-ref", "--short", "HEAD"), "feature/s1");
  });

  it("re-adds a worktree whose admin entry is gone on the same branch, keeping its files", async () => {
    const { repo, wt } = await setup();
    writeFileSync(join(wt, "README.md"), "edited, not committed\n");
    writeFileSync(join(wt, "new.txt"), "untracked\n");
    rmSync(join(repo, ".git", "worktrees"), { recursive: true, force: true });
    const { report } = await doctor(repo);
    assert.deepEqual(kinds(report.findings), ["corrupt-worktree"]);
    const fixed = await doctor(repo, true);
    assert.equal(fixed.code, 0, JSON.stringify(fixed.report));
    assert.equal(gitIn(sb, wt, "symbolic-ref", "--short", "HEAD"), "feature/s1");
    assert.equal(readFileSync(join(wt, "README.md"), "utf8"), "edited, not committed\n");
    assert.equal(gitIn(sb, wt, "status", "--porcelain"), " M README.md\n?? new.txt");
    assert.deepEqual((await doctor(repo)).report.findings, []);
  });

  it("offers to register a braid-named worktree braid did not create", async () => {
    const { repo } = await setup();
    const path = join(sb.root, `d${n}-manual`);
    gitIn(sb, repo, "worktree", "add", "-q", path, "-b", "manual");
    const { report } = await doctor(repo);
    assert.deepEqual(kinds(report.findings), ["unregistered"]);
    assert.equal((await doctor(repo, true)).code, 0);
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.ok(ls.worktrees.some((w: { session: string; path: string }) => w.session === "manual" && w.path === path));
  });

  it("reports a branch checked out twice (not auto-fixable)", async () => {
    const { repo } = await setup();
    gitIn(sb, repo, "worktree", "add", "-q", "-f", join(sb.root, "twice"), "feature/s1");
    const { code, report } = await doctor(repo, true);
    assert.equal(code, 1);
    const f = report.findings.find((x) => x.kind === "checked-out-twice");
    assert.equal(f?.where, "feature/s1");
    assert.equal(f?.fixed, false);
  });

  it("corrupt state: other commands refuse with one line; --fix moves it aside and rebuilds the registry", async () => {
    const { repo, wt } = await setup();
    const state = join(repo, ".git", "braid", "state.json");
    writeFileSync(state, "{ not json");
    const ls = await braid(sb, repo, ["ls"]);
    assert.ok(isOneLineError(ls), ls.stderr);
    assert.match(ls.stderr, /state file is corrupt.*braid doctor --fix/);
    const { report } = await doctor(repo);
    assert.deepEqual(kinds(report.findings), ["corrupt-state"]);
    assert.equal(readFileSync(state, "utf8"), "{ not json", "never overwritten without --fix");
    const fixed = await doctor(repo, true);
    assert.equal(fixed.code, 0, JSON.stringify(fixed.report));
    const bad = readdirSync(join(repo, ".git", "braid")).filter((f) => f.startsWith("state.json.bad-"));
    assert.equal(bad.length, 1);
    assert.equal(readFileSync(join(repo, ".git", "braid", bad[0] as string), "utf8"), "{ not json");
    const after = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.ok(after.worktrees.some((w: { session: string; path: string }) => w.session === "s1" && w.path === wt));
  });

  it("explains a hashed slug and drops claims of repositories that are gone", async () => {
    const a = makeRepo(sb, "same/app");
    const b = makeRepo(sb, "other/app");
    assert.equal((await braid(sb, a, ["ls"])).code, 0);
    const { report } = await doctor(b);
    const col = report.findings.find((f) => f.kind === "slug-collision");
    assert.match(col?.where ?? "", /^app-[0-9a-f]{6}$/);
    rmSync(join(sb.root, "same"), { recursive: true, force: true });
    const stale = await doctor(b, true);
    const f = stale.report.findings.find((x) => x.kind === "stale-slug");
    assert.equal(f?.where, "app");
    assert.equal(f?.fixed, true);
    const reg = JSON.parse(readFileSync(join(sb.home, ".local/share/braid/projects.json"), "utf8"));
    assert.equal(reg.slugs.app, undefined);
  });
});
