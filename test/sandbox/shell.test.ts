// `braid shell NAME -- CMD` with real bubblewrap and real git: the command sees exactly the view the session's
// agent has — a research session's shell cannot write its worktree, an implementation session's shell commits
// through the private git dir onto its own branch only — and an unsandboxed session's shell is a plain program in
// its worktree with the session's environment.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn, isOneLineError, waitFor } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;

describe("braid shell: the session's own view", { skip: !haveBwrap && "bwrap not usable" }, () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n" });
  const env = () => ({ MY_SECRET_TOKEN: "not-for-agents" });

  const setUp = () => {
    const cfg = join(sb.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    // A quiet agent: the session runs once (recording its sandbox choice) and is done.
    writeFileSync(
      join(cfg, "config.toml"),
      `runner = "headless"\nsandbox = "on"\nports = 2\nport_base = 23400\n[agents.quiet]\ncommand = ["sh", "-c", "exit 0"]\n`,
    );
  };

  async function ranOnce(name: string, extra: string[]): Promise<void> {
    const r = await braid(sb, repo, ["start", name, "--agent", "quiet", ...extra], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    await waitFor(`${name} done`, async () => {
      const st = await braid(sb, repo, ["status", name, "--json"], { env: env() });
      return ["done", "failed"].includes(JSON.parse(st.stdout).sessions[0].state);
    });
  }

  const shell = (name: string, script: string) =>
    braid(sb, repo, ["shell", name, "--", "sh", "-c", script], { env: env() });

  it("research: the shell runs in its worktree and cannot write it, the repository or home", async () => {
    setUp();
    await ranOnce("look", ["--type", "research"]);
    const wt = join(sb.root, "app-look");
    const r = await shell(
      "look",
      `pwd; echo "session=$BRAID_SESSION sandboxed=$BRAID_SANDBOXED secret=$MY_SECRET_TOKEN"
       if echo x > hack.txt 2>/dev/null; then echo wrote-worktree; else echo worktree-denied; fi
       if echo x > "$HOME/evil.txt" 2>/dev/null; then echo wrote-home; else echo home-denied; fi
       if git commit -q --allow-empty --no-verify -m evil 2>/dev/null; then echo committed; else echo commit-denied; fi
       exit 7`,
    );
    assert.equal(r.code, 7, `the shell's exit code is braid's: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${wt}$`, "m"), "cwd is the worktree");
    assert.match(r.stdout, /session=look sandboxed=1 secret=$/m, "braid's variables pass, other secrets stay out");
    assert.match(r.stdout, /worktree-denied/);
    assert.match(r.stdout, /home-denied/);
    assert.match(r.stdout, /commit-denied/);
    assert.ok(!existsSync(join(wt, "hack.txt")) && !existsSync(join(sb.home, "evil.txt")));
    assert.equal(gitIn(sb, repo, "rev-parse", "feature/look"), gitIn(sb, repo, "rev-parse", "main"));
  });

  it("implementation: the shell writes its worktree and commits onto its own branch, never main", async () => {
    await ranOnce("impl", []);
    const wt = join(sb.root, "app-impl");
    const before = gitIn(sb, repo, "rev-parse", "main");
    const r = await shell(
      "impl",
      `echo made > made.txt && git add made.txt && git commit -q -m from-shell && echo committed
       git update-ref refs/heads/main HEAD 2>/dev/null
       if echo x > "$BRAID_MAIN_WORKTREE/evil.txt" 2>/dev/null; then echo wrote-main; else echo main-denied; fi`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /committed/);
    assert.match(r.stdout, /main-denied/);
    assert.equal(readFileSync(join(wt, "made.txt"), "utf8"), "made\n");
    // The shell's commit came back to the real branch when the shell exited.
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", "feature/impl"), "from-shell");
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), before, "main did not move");
    assert.ok(!existsSync(join(repo, "evil.txt")));
    assert.equal(gitIn(sb, wt, "status", "--porcelain"), "", "outside, the index is what the shell committed");
  });

  it("an unsandboxed session: a plain shell in its worktree with the session's environment", async () => {
    await ranOnce("plain", ["--no-sandbox"]);
    const wt = join(sb.root, "app-plain");
    const r = await shell(
      "plain",
      `pwd; echo "session=$BRAID_SESSION type=$BRAID_SESSION_TYPE port=$PORT sandboxed=$BRAID_SANDBOXED secret=$MY_SECRET_TOKEN"; echo x > plain.txt`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${wt}$`, "m"));
    assert.match(r.stdout, /session=plain type=implementation port=\d+ sandboxed= secret=not-for-agents/);
    assert.ok(existsSync(join(wt, "plain.txt")), "nothing stops an unsandboxed shell");
  });

  it("an unknown session or a missing program is a one-line error", async () => {
    const unknown = await braid(sb, repo, ["shell", "nope"], { env: env() });
    assert.ok(isOneLineError(unknown), unknown.stderr);
    const missing = await braid(sb, repo, ["shell", "plain", "--", "no-such-program-here"], { env: env() });
    assert.ok(isOneLineError(missing), missing.stderr);
    assert.match(missing.stderr, /no-such-program-here/);
  });
});
