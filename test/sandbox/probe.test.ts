// The sandbox with real bubblewrap and real git: a probe agent (a plain shell program, so no agent's own
// permission logic proves anything) tries every way to write that an agent's Bash tool could, in a research
// and in an implementation session. Only the allowed ones may have any effect on the real repository.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BRAID_BIN, braid, gitIn, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;

/** Each attempt prints "<label> ok" or "<label> failed"; the test judges by effects, not by these words. */
const PROBE = `#!/bin/sh
cd "$BRAID_WT" || exit 9
try() { label=$1; shift; if "$@" >/dev/null 2>&1; then echo "$label ok"; else echo "$label failed"; fi; }
try write-worktree sh -c 'echo hack > hack.txt'
try commit-no-verify sh -c 'git add -A && git commit -q --no-verify -m probe-commit'
try commit-hooks-off sh -c 'echo two > two.txt && git add -A && git -c core.hooksPath=/dev/null commit -q -m probe-two'
try commit-tree sh -c 'git update-ref refs/heads/main "$(git commit-tree -m evil HEAD^{tree} -p HEAD)"'
try other-branch sh -c 'git update-ref refs/heads/other HEAD'
try push-main sh -c 'git push -q . HEAD:main'
try main-commit sh -c 'cd "$BRAID_MAIN_WORKTREE" && git commit -q --allow-empty -m evil-main'
try main-write sh -c 'echo evil > "$BRAID_MAIN_WORKTREE/evil.txt"'
try home-write sh -c 'echo evil > "$HOME/evil.txt"'
try outside-write sh -c 'echo evil > "$BRAID_PROBE_OUTSIDE/evil.txt"'
try tmp-write sh -c 'echo mine > /tmp/braid-probe-private.txt'
try secret-env sh -c '[ -n "$MY_SECRET_TOKEN" ]'
try api-key-env sh -c '[ -n "$ANTHROPIC_API_KEY" ]'
try note node "$BRAID_BIN_PATH" note "probe says hi from $BRAID_SESSION"
echo probe-done
`;

describe("sandbox: every write path, research and implementation", { skip: !haveBwrap && "bwrap not usable" }, () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n", "src/a.txt": "a\n" });
  // Under HOME, so it is visible (read-only) inside; the rest of /tmp is hidden by the private /tmp.
  const outside = () => join(sb.home, "outside");
  const env = () => ({
    BRAID_BIN_PATH: BRAID_BIN,
    BRAID_PROBE_OUTSIDE: outside(),
    MY_SECRET_TOKEN: "not-for-agents",
    ANTHROPIC_API_KEY: "sk-test",
  });

  const setUp = () => {
    mkdirSync(outside(), { recursive: true });
    const probe = join(sb.home, "probe.sh");
    writeFileSync(probe, PROBE);
    chmodSync(probe, 0o755);
    // The user's own (global) config is trusted: a custom agent defined there runs without `braid trust`.
    const cfg = join(sb.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(
      join(cfg, "config.toml"),
      `runner = "headless"\nsandbox = "on"\n[agents.probe]\ncommand = ["sh", "-c", "BRAID_WT=$PWD exec sh ${probe}"]\n`,
    );
  };

  async function runProbe(name: string, type: string): Promise<string> {
    const r = await braid(sb, repo, ["start", name, "--agent", "probe", "--type", type, "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const log = JSON.parse(r.stdout).session.ext.session.logPath as string;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const st = await braid(sb, repo, ["status", name, "--json"], { env: env() });
      const view = JSON.parse(st.stdout).sessions[0];
      if (["done", "failed"].includes(view.state)) {
        assert.equal(view.sandboxed, true, "status says the session is sandboxed");
        break;
      }
      assert.ok(Date.now() < deadline, `probe ${name} did not finish: ${readFileSync(log, "utf8")}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    const out = readFileSync(log, "utf8");
    assert.match(out, /probe-done/, out);
    return out;
  }

  const mainTip = () => gitIn(sb, repo, "rev-parse", "main");

  it("research: nothing lands anywhere but the notes", async () => {
    setUp();
    const before = mainTip();
    const out = await runProbe("look", "research");
    const wt = join(sb.root, "app-look");
    assert.ok(!existsSync(join(wt, "hack.txt")), `no file in the worktree:\n${out}`);
    assert.equal(gitIn(sb, repo, "rev-parse", "feature/look"), before, "the branch did not move");
    assert.equal(mainTip(), before, "main did not move");
    assert.equal(gitIn(sb, repo, "branch", "--list", "other"), "", "no other branch was made");
    assert.ok(!existsSync(join(repo, "evil.txt")) && !existsSync(join(sb.home, "evil.txt")));
    assert.ok(!existsSync(join(outside(), "evil.txt")));
    assert.ok(!existsSync("/tmp/braid-probe-private.txt"), "the sandbox's /tmp is private");
    assert.equal(gitIn(sb, wt, "status", "--porcelain"), "", "the worktree is untouched");
    for (const denied of [
      "write-worktree",
      "commit-no-verify",
      "main-commit",
      "main-write",
      "home-write",
      "outside-write",
    ])
      assert.match(out, new RegExp(`${denied} failed`), out);
    assert.match(out, /note ok/);
    assert.match(out, /secret-env failed/, "variables agents do not need stay outside");
    assert.match(out, /api-key-env ok/, "the agent's API settings pass");
    const notes = await braid(sb, repo, ["notes", "--json"], { env: env() });
    assert.match(notes.stdout, /probe says hi from look/, "braid note works from inside");
  });

  it("implementation: commits land on its own branch only; main, other branches, home and outside stay untouched", async () => {
    const before = mainTip();
    const out = await runProbe("impl", "implementation");
    const wt = join(sb.root, "app-impl");
    assert.equal(readFileSync(join(wt, "hack.txt"), "utf8"), "hack\n", out);
    for (const allowed of ["write-worktree", "commit-no-verify", "commit-hooks-off", "note"])
      assert.match(out, new RegExp(`${allowed} ok`), out);
    for (const denied of ["main-commit", "main-write", "home-write", "outside-write"])
      assert.match(out, new RegExp(`${denied} failed`), out);
    // The two commits made inside came back to the real branch (the wrapper's final sync).
    const log = gitIn(sb, repo, "log", "--format=%s", "main..feature/impl").split("\n");
    assert.deepEqual(log, ["probe-two", "probe-commit"], out);
    assert.equal(mainTip(), before, "neither update-ref, push nor a commit in the main worktree moved main");
    assert.equal(gitIn(sb, repo, "branch", "--list", "other"), "", "no other branch in the real repository");
    assert.ok(!existsSync(join(repo, "evil.txt")), "the main worktree is read-only");
    assert.ok(!existsSync(join(sb.home, "evil.txt")), "home is read-only");
    assert.ok(!existsSync(join(outside(), "evil.txt")), "everything outside is read-only");
    assert.ok(!existsSync("/tmp/braid-probe-private.txt"), "the sandbox's /tmp is private");
    // Outside, git sees the worktree as the agent left it: clean, on its branch, index current.
    assert.equal(gitIn(sb, wt, "status", "--porcelain"), "");
    assert.equal(gitIn(sb, wt, "rev-parse", "--abbrev-ref", "HEAD"), "feature/impl");
    // braid's own commands inside reach the real project, though git there sees the private git dir.
    const notes = await braid(sb, repo, ["notes", "--json"], { env: env() });
    assert.match(notes.stdout, /probe says hi from impl/);
  });

  it("`start --sandbox` where bubblewrap is missing is a one-line error and creates nothing", async () => {
    // A PATH with git and sh but no bwrap.
    const bin = join(sb.root, "bin-no-bwrap");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["git", "sh"]) {
      const at = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(at, join(bin, tool));
    }
    const r = await braid(sb, repo, ["start", "nobw", "--agent", "probe", "--sandbox"], {
      env: { ...env(), PATH: bin },
    });
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /bubblewrap is not installed/);
    assert.ok(!existsSync(join(sb.root, "app-nobw")), "no worktree was made");
  });
});
