import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn, isOneLineError, makeRepo } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid new: more bad input, nothing left behind", () => {
  const { sb, repo } = useRepo();
  const snapshot = () => [gitIn(sb, repo, "worktree", "list"), gitIn(sb, repo, "branch", "--list")].join("\n");

  it("refuses a worktree path that exists and is not empty", async () => {
    const p = join(sb.root, "full");
    mkdirSync(p);
    writeFileSync(join(p, "keep.txt"), "mine\n");
    const before = snapshot();
    const r = await braid(sb, repo, ["new", "x1", "--path", p]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /exists and is not empty/);
    assert.equal(snapshot(), before);
    assert.ok(existsSync(join(p, "keep.txt")));
  });

  it("refuses a branch that is checked out in another worktree", async () => {
    const before = snapshot();
    const r = await braid(sb, repo, ["new", "x2", "--branch", "main"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /already checked out/);
    assert.equal(snapshot(), before);
  });

  it("refuses a branch name git would reject", async () => {
    const r = await braid(sb, repo, ["new", "x3", "--branch", "bad..name"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /not a valid git branch name/);
  });

  it("on a detached HEAD, starts from the default branch", async () => {
    const sha = gitIn(sb, repo, "rev-parse", "HEAD");
    gitIn(sb, repo, "checkout", "-q", "--detach", sha);
    try {
      const r = await braid(sb, repo, ["new", "det1", "--json", "--no-bootstrap"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).baseRef, "main");
    } finally {
      gitIn(sb, repo, "checkout", "-q", "main");
    }
  });

  it("on a detached HEAD with no default branch to find, asks for --base", async () => {
    const other = makeRepo(sb, "nomain");
    gitIn(sb, other, "branch", "-m", "main", "trunk");
    gitIn(sb, other, "checkout", "-q", "--detach");
    const r = await braid(sb, other, ["new", "det2"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /HEAD is detached.*--base/);
    assert.equal(gitIn(sb, other, "worktree", "list").split("\n").length, 1);
  });

  it("refuses with a corrupt state file, which is left untouched", async () => {
    const state = join(repo, ".git", "braid", "state.json");
    mkdirSync(join(repo, ".git", "braid"), { recursive: true });
    const original = existsSync(state) ? readFileSync(state, "utf8") : '{"version":1,"nextOrder":1,"sessions":[]}';
    writeFileSync(state, "[oops");
    try {
      const before = snapshot();
      const r = await braid(sb, repo, ["new", "x4"]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /state file is corrupt/);
      assert.equal(snapshot(), before);
    } finally {
      writeFileSync(state, original);
    }
  });

  it("refuses an unknown config key in braid.toml", async () => {
    writeFileSync(join(repo, "braid.toml"), "wortree_path = 'x'\n");
    try {
      const before = snapshot();
      const r = await braid(sb, repo, ["new", "x5"]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /unknown key "wortree_path"/);
      assert.equal(snapshot(), before);
    } finally {
      writeFileSync(join(repo, "braid.toml"), "");
    }
  });
});
