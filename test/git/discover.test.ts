// Finding the repository on the file system (src/git/discover.ts) against real git: in every plain layout it
// names what `git rev-parse` names; wherever git could decide otherwise it answers null (the caller asks git).
import assert from "node:assert/strict";
import { chownSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { discoverRepo } from "../../src/git/discover.js";
import { projectFacts } from "../../src/git/refs.js";
import { gitIn, makeRepo, makeSandbox } from "../helpers/env.js";

describe("discoverRepo", () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());
  const repo = makeRepo(sb, "app");
  mkdirSync(join(repo, "src", "deep"), { recursive: true });

  /** What git says from cwd, in discoverRepo's terms. */
  const gitSays = (cwd: string) => {
    const [commonDir, top] = gitIn(
      sb,
      cwd,
      ...["rev-parse", "--path-format=absolute", "--git-common-dir", "--show-toplevel"],
    ).split("\n");
    return { commonDir: realpathSync(commonDir as string), top };
  };
  const found = (cwd: string) => {
    const f = discoverRepo(cwd);
    assert.ok(f, `nothing found from ${cwd}`);
    return { commonDir: realpathSync(f.commonDir), top: f.top };
  };
  /** A copy of the repository to spoil, so one case's change never leaks into another. */
  let copies = 0;
  const freshRepo = () => makeRepo(sb, `spoilt${copies++}`);

  it("a main worktree, from its top and from a subdirectory", () => {
    assert.deepEqual(found(repo), gitSays(repo));
    assert.deepEqual(found(join(repo, "src", "deep")), gitSays(join(repo, "src", "deep")));
  });

  it("a linked worktree (a .git file and commondir), from its top and below", () => {
    const wt = join(sb.root, "wt-linked");
    gitIn(sb, repo, "worktree", "add", "-q", "-b", "linked", wt);
    mkdirSync(join(wt, "sub"));
    assert.deepEqual(found(wt), gitSays(wt));
    assert.deepEqual(found(join(wt, "sub")), gitSays(join(wt, "sub")));
    assert.equal(found(wt).commonDir, realpathSync(join(repo, ".git")));
  });

  it("a nested repository and a path through a symlink", () => {
    const nested = join(repo, "src", "inner");
    mkdirSync(nested);
    gitIn(sb, nested, "init", "-q");
    assert.deepEqual(found(nested), gitSays(nested));
    const link = join(sb.root, "link-to-deep");
    symlinkSync(join(repo, "src", "deep"), link);
    assert.deepEqual(found(link), gitSays(link));
  });

  it("null (git decides) inside a git dir, in a bare repository, outside any repository", () => {
    assert.equal(discoverRepo(join(repo, ".git")), null);
    assert.equal(discoverRepo(join(repo, ".git", "refs")), null);
    const bare = join(sb.root, "bare.git");
    gitIn(sb, sb.root, "init", "-q", "--bare", bare);
    assert.equal(discoverRepo(bare), null);
    const outside = join(sb.root, "no-repo-here");
    mkdirSync(outside);
    assert.equal(discoverRepo(outside), null);
  });

  it("null when config says where the work tree is: core.worktree, core.bare, includes, per-worktree config", () => {
    for (const spoil of [
      (r: string) => gitIn(sb, r, "config", "core.worktree", r),
      (r: string) => gitIn(sb, r, "config", "core.bare", "true"),
      (r: string) => gitIn(sb, r, "config", "include.path", join(sb.root, "more.gitconfig")),
      (r: string) => writeFileSync(join(r, ".git", "config.worktree"), "[core]\n"),
    ]) {
      const r = freshRepo();
      assert.ok(discoverRepo(r), "the copy is plain before it is spoilt");
      spoil(r);
      assert.equal(discoverRepo(r), null, spoil.toString());
    }
  });

  it("a submodule (its config names its work tree): null, and projectFacts asks git", async () => {
    const lib = makeRepo(sb, "lib");
    gitIn(sb, repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "vendor/lib");
    const sub = join(repo, "vendor", "lib");
    assert.equal(discoverRepo(sub), null);
    const facts = await projectFacts(sub);
    assert.ok(facts);
    assert.deepEqual({ commonDir: realpathSync(facts.commonDir), top: facts.top }, gitSays(sub));
    assert.notEqual(realpathSync(facts.commonDir), realpathSync(join(repo, ".git")));
  });

  it("null for a .git file whose git dir is gone, and with GIT_DIR set", () => {
    const r = freshRepo();
    const odd = join(r, "odd");
    mkdirSync(odd);
    writeFileSync(join(odd, ".git"), `gitdir: ${join(sb.root, "gone")}\n`);
    assert.equal(discoverRepo(odd), null);
    process.env.GIT_DIR = join(r, ".git");
    try {
      assert.equal(discoverRepo(r), null);
    } finally {
      delete process.env.GIT_DIR;
    }
  });

  it("null for a repository another user owns (git's safe.directory check)", { skip: process.getuid?.() !== 0 }, () => {
    const r = freshRepo();
    chownSync(r, 4321, 4321);
    assert.equal(discoverRepo(r), null);
  });
});
