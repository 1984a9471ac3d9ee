/**
 * Fault cases 5, 6 and 7: a symlink or a file at the target path, kill -9 during `new` (checkout and copy),
 * and doctor on a locked worktree whose directory is gone.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox, writeFiles } from "../helpers/env.js";
import { braidPausedAt, kill9, recordCase } from "./fault-kit.js";

describe("faults 5-7: new, rm and doctor", () => {
  const sb = makeSandbox("braid-fault5-");
  after(() => sb.cleanup());
  const repo = makeRepo(sb, "app", {
    "README.md": "# app\n",
    ".gitignore": "big/\n",
    "braid.toml": 'copy = ["big"]\n',
  });
  const state = () => JSON.parse(readFileSync(join(repo, ".git", "braid", "state.json"), "utf8"));

  it("5: a symlink planted at the target is refused; the victim is untouched", async () => {
    const victim = join(sb.root, "victim");
    mkdirSync(victim);
    symlinkSync(victim, join(sb.root, "app-y"));
    const r = await braid(sb, repo, ["new", "y"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /is a symbolic link .*remove the link/);
    assert.deepEqual(readdirSync(victim), []);
    writeFileSync(join(sb.root, "app-f"), "a file\n");
    const f = await braid(sb, repo, ["new", "f"]);
    assert.ok(isOneLineError(f), f.stderr);
    assert.match(f.stderr, /exists and is a file/);
    assert.ok(!/internal error/.test(f.stderr));
    // rm of a session whose directory was replaced by a symlink: refuses instead of dropping only the entry.
    assert.equal((await braid(sb, repo, ["new", "z", "--no-bootstrap"])).code, 0);
    rmSync(join(sb.root, "app-z"), { recursive: true });
    symlinkSync(victim, join(sb.root, "app-z"));
    writeFileSync(join(victim, "precious.txt"), "keep\n");
    const rm = await braid(sb, repo, ["rm", "z", "--force"]);
    assert.ok(isOneLineError(rm), rm.stderr);
    assert.match(rm.stderr, /symbolic link/);
    assert.equal(readFileSync(join(victim, "precious.txt"), "utf8"), "keep\n");
    rmSync(join(sb.root, "app-z"));
    recordCase({ case: "5 symlink/file at the target", tried: 3, survived: 3, workLost: 0 });
  });

  it("6: kill -9 after the checkout: doctor reports it, a rerun of new rolls it back and makes it again", async () => {
    const p = await braidPausedAt(sb, repo, ["new", "k"], "new-after-checkout");
    await kill9(p);
    const s = state().sessions.find((x: { name: string }) => x.name === "k");
    assert.equal(s?.pending?.step, "checkout");
    const d = await braid(sb, repo, ["doctor", "--json"]);
    const found = JSON.parse(d.stdout).findings.find((f: { kind: string }) => f.kind === "incomplete");
    assert.ok(found, d.stdout);
    const again = await braid(sb, repo, ["new", "k", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).pending, undefined);
    assert.equal(gitIn(sb, join(sb.root, "app-k"), "status", "--porcelain"), "", "a clean, complete checkout");
    recordCase({ case: "6 kill -9 after checkout, rerun new", tried: 1, survived: 1, workLost: 0 });
  });

  it("6: kill -9 during the copy: no half copy in place; doctor --fix finishes the bootstrap", async () => {
    writeFiles(repo, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`big/f${i}.txt`, `${i}\n`])));
    const p = await braidPausedAt(sb, repo, ["new", "c"], "copy-before-rename");
    await kill9(p);
    const wt = join(sb.root, "app-c");
    assert.ok(!existsSync(join(wt, "big")), "the unfinished copy is not at its real name");
    assert.equal(state().sessions.find((x: { name: string }) => x.name === "c")?.pending?.step, "bootstrap");
    const fix = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    const f = JSON.parse(fix.stdout).findings.find((x: { kind: string }) => x.kind === "incomplete");
    assert.equal(f?.fixed, true, fix.stdout);
    assert.equal(readdirSync(join(wt, "big")).length, 50);
    assert.equal(state().sessions.find((x: { name: string }) => x.name === "c")?.pending, undefined);
    recordCase({ case: "6 kill -9 during copy, doctor --fix", tried: 1, survived: 1, workLost: 0 });
  });

  it("6: kill -9 after the checkout, then doctor --fix rolls the half checkout back (not adopted)", async () => {
    const p = await braidPausedAt(sb, repo, ["new", "h", "--no-bootstrap"], "new-after-checkout");
    await kill9(p);
    const fix = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    assert.ok(!/internal error/.test(fix.stderr), fix.stderr);
    assert.ok(!state().sessions.some((x: { name: string }) => x.name === "h"));
    assert.ok(!existsSync(join(sb.root, "app-h")));
    assert.equal(gitIn(sb, repo, "branch", "--list", "feature/h"), "");
    recordCase({ case: "6 kill -9 after checkout, doctor --fix", tried: 1, survived: 1, workLost: 0 });
  });

  it('6: an unregistered checkout git marks unfinished ("initializing") is never adopted', async () => {
    gitIn(
      sb,
      repo,
      "worktree",
      "add",
      "-q",
      "--lock",
      "--reason",
      "initializing",
      "-b",
      "feature/u",
      join(sb.root, "app-u"),
    );
    const fix = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    const f = JSON.parse(fix.stdout).findings.find(
      (x: { where: string; kind: string }) => x.where === join(sb.root, "app-u") && x.kind === "unregistered",
    );
    assert.equal(f?.fixable, false, fix.stdout);
    assert.match(f?.message ?? "", /never finished/);
    assert.ok(!state().sessions.some((x: { name: string }) => x.name === "u"), "not adopted");
    gitIn(sb, repo, "worktree", "remove", "--force", "--force", join(sb.root, "app-u"));
    recordCase({ case: "6 half checkout without a record not adopted", tried: 1, survived: 1, workLost: 0 });
  });

  it("7: doctor never crashes: a locked worktree whose directory is gone is a finding", async () => {
    assert.equal((await braid(sb, repo, ["new", "l", "--no-bootstrap"])).code, 0);
    gitIn(sb, repo, "worktree", "lock", "--reason", "portable drive", join(sb.root, "app-l"));
    rmSync(join(sb.root, "app-l"), { recursive: true, force: true });
    const r = await braid(sb, repo, ["doctor", "--json"]);
    assert.ok(!/internal error|ENOENT/.test(r.stderr), r.stderr);
    const kinds = JSON.parse(r.stdout).findings.map((f: { kind: string }) => f.kind);
    assert.ok(kinds.includes("locked"), r.stdout);
    assert.ok(!kinds.includes("check-failed"), r.stdout);
    recordCase({ case: "7 doctor on a locked, vanished worktree", tried: 1, survived: 1, workLost: 0 });
  });
});
