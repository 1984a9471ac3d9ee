import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { braid, gitIn, isOneLineError, makeRepo, makeWorktreeAddGhost } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid new", () => {
  const { sb, repo } = useRepo();

  it("creates ../<repo>-<name> on feature/<name> from the default branch and registers it", async () => {
    const r = await braid(sb, repo, ["new", "auth", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.name, "auth");
    assert.equal(s.branch, "feature/auth");
    assert.equal(s.path, join(sb.root, "app-auth"));
    assert.equal(s.baseRef, "main");
    assert.equal(s.order, 1);
    assert.equal(gitIn(sb, s.path, "symbolic-ref", "--short", "HEAD"), "feature/auth");
    assert.ok(existsSync(join(s.path, "README.md")));
  });

  it("orders sessions by creation and resolves the same project from inside a worktree", async () => {
    const r = await braid(sb, join(sb.root, "app-auth"), ["new", "api", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.order, 2);
    assert.equal(s.path, join(sb.root, "app-api"), "paths come from the main worktree, not the current one");
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.deepEqual(
      ls.worktrees.map((w: { session: string | null }) => w.session),
      [null, "auth", "api"],
    );
  });

  for (const [label, name] of [
    ["a path separator", "a/b"],
    ["'..'", "a..b"],
    ["a leading '-'", "-x"],
    ["a space", "a b"],
    ["characters git refuses", "a~b"],
    ["an empty name", ""],
  ] as const) {
    it(`refuses a name with ${label} and leaves nothing behind`, async () => {
      const before = gitIn(sb, repo, "worktree", "list");
      const r = await braid(sb, repo, ["new", "--", name]);
      assert.ok(isOneLineError(r), `expected one-line error, got ${r.code}: ${r.stderr}`);
      assert.equal(gitIn(sb, repo, "worktree", "list"), before);
    });
  }

  it("refuses a name that already exists", async () => {
    const r = await braid(sb, repo, ["new", "auth"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /already exists/);
  });

  it("refuses a base ref that does not exist, creating no branch", async () => {
    const r = await braid(sb, repo, ["new", "x1", "--base", "nope"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /base ref "nope" does not exist/);
    assert.equal(gitIn(sb, repo, "branch", "--list", "feature/x1"), "");
  });

  it("names the `base` setting when it is the base that does not exist", async () => {
    const other = makeRepo(sb, "badbase", { "braid.toml": 'base = "nonexistent"\n' });
    const r = await braid(sb, other, ["new", "x1"]);
    assert.ok(isOneLineError(r));
    assert.match(
      r.stderr,
      /base ref "nonexistent" \(the `base` setting\) does not exist — set it to an existing branch/,
    );
  });

  it("refuses outside a git repository", async () => {
    const r = await braid(sb, sb.root, ["new", "x2"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /not a git repository/);
  });

  it("refuses a repository with no commits", async () => {
    const empty = join(sb.root, "empty");
    gitIn(sb, sb.root, "init", "-q", empty);
    const r = await braid(sb, empty, ["new", "x3"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /no commits/);
  });

  it("refuses a bare repository", async () => {
    const bare = join(sb.root, "bare.git");
    gitIn(sb, sb.root, "clone", "-q", "--bare", repo, bare);
    const r = await braid(sb, bare, ["new", "x4"]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /bare/);
  });
  it("waits out another worktree add that is half written (git's commondir race) instead of failing", async () => {
    // What two `braid start`s at once leave for a moment (another add half written).
    const ghost = makeWorktreeAddGhost(sb, repo);
    const pending = () => {
      try {
        const data = JSON.parse(readFileSync(join(repo, ".git", "braid", "state.json"), "utf8"));
        return data.sessions.some((x: { name: string }) => x.name === "racer");
      } catch {
        return false;
      }
    };
    const run = braid(sb, repo, ["new", "racer", "--json"]);
    // The other add finishes only after braid's first try has met it (its pending record precedes the checkout).
    for (let i = 0; i < 400 && !pending(); i++) await sleep(25);
    await sleep(150);
    rmSync(ghost, { recursive: true, force: true });
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(gitIn(sb, s.path, "symbolic-ref", "--short", "HEAD"), "feature/racer");
    assert.ok(existsSync(join(s.path, "README.md")));
    assert.equal((await braid(sb, repo, ["rm", "racer"])).code, 0);
  });
});
