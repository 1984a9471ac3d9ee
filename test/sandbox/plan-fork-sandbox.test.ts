// The sandbox chosen in a plan file (plan-wide and per session) and for a fork's question, with real bubblewrap:
// `braid status` (table and --json) says which sessions are sandboxed, and a sandboxed fork's Claude really runs
// under bubblewrap (seen in the process table while the model answers it).
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { braidClaudeEnv, CLAUDE_BIN } from "../helpers/claude.js";
import { braid, makeRepo, makeSandbox, type Sandbox, waitFor } from "../helpers/env.js";
import { type ModelStub, startModelStub } from "../helpers/model-stub.js";
import { useRepo } from "../helpers/suite.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;

describe("plan files: sandbox = ...", { skip: !haveBwrap && "bwrap not usable" }, () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n" });

  it("the plan's setting applies to its sessions, a session's own overrides it; status says which", async () => {
    const cfg = join(sb.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, "config.toml"), `sandbox = "off"\n[agents.quiet]\ncommand = ["sh", "-c", "exit 0"]\n`);
    const plan = join(sb.root, "plan.toml");
    writeFileSync(
      plan,
      `sandbox = "on"\n[[session]]\nname = "boxed"\ntask = "a"\nagent = "quiet"\nowns = ["a/"]\n` +
        `[[session]]\nname = "open"\ntask = "b"\nagent = "quiet"\nowns = ["b/"]\nsandbox = "off"\n`,
    );
    const r = await braid(sb, repo, ["plan", plan, "--apply", "--headless", "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const views = await waitFor("both sessions ran", async () => {
      const st = JSON.parse((await braid(sb, repo, ["status", "--json"])).stdout).sessions as Array<{
        name: string;
        state: string;
        sandboxed: boolean;
      }>;
      return st.length === 2 && st.every((v) => ["done", "failed"].includes(v.state)) ? st : null;
    });
    const by = Object.fromEntries(views.map((v) => [v.name, v.sandboxed]));
    assert.deepEqual(by, { boxed: true, open: false });
    const table = (await braid(sb, repo, ["status"])).stdout;
    assert.match(table, /boxed\s+implementation \(sandboxed\)/);
    assert.doesNotMatch(table, /open\s+implementation \(sandboxed\)/);
  });

  it('`sandbox = "on"` where bubblewrap is missing stops the plan before any session exists', async () => {
    const plan = join(sb.root, "plan2.toml");
    writeFileSync(plan, `sandbox = "on"\n[[session]]\nname = "never"\ntask = "a"\nagent = "quiet"\n`);
    const bin = join(sb.root, "bin-git-only");
    mkdirSync(bin, { recursive: true });
    const git = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
    spawnSync("ln", ["-sf", git, join(bin, "git")]);
    const r = await braid(sb, repo, ["plan", plan, "--apply", "--headless"], { env: { PATH: bin } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bubblewrap is not installed/);
    const st = JSON.parse((await braid(sb, repo, ["status", "--json"])).stdout).sessions as Array<{ name: string }>;
    assert.ok(!st.some((v) => v.name === "never"), "nothing was created");
  });
});

describe("braid fork --sandbox (real claude -p against a scripted model)", {
  skip: !haveBwrap && "bwrap not usable",
}, () => {
  let sb: Sandbox;
  let repo: string;
  let model: ModelStub;
  let env: NodeJS.ProcessEnv;
  let parentPath = "";
  /** Whether a bwrap process wrapped the fork's worktree while the model was answering the fork. */
  let forkUnderBwrap = false;

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    model = await startModelStub({
      responder: (req) => {
        if (req.cwd && req.cwd !== parentPath) {
          const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
          if (ps.split("\n").some((l) => l.startsWith("bwrap ") && l.includes(req.cwd as string)))
            forkUnderBwrap = true;
          return { text: "answered from the sandbox" };
        }
        return { text: "noted" };
      },
    });
    env = braidClaudeEnv(sb, model.url);
    const created = await braid(sb, repo, ["new", "parent", "--json"], { env });
    assert.equal(created.code, 0, created.stderr);
    parentPath = JSON.parse(created.stdout).path;
    await promisify(execFile)(CLAUDE_BIN, ["-p", "remember this", "--session-id", randomUUID()], {
      cwd: parentPath,
      env: { ...sb.env, ...env },
      timeout: 90_000,
    });
  });
  after(async () => {
    await model.stop();
    sb.cleanup();
  });

  it("the fork's question runs under bubblewrap and answers", async () => {
    const r = await braid(sb, repo, ["fork", "parent", "--as", "pf", "--prompt", "what now?", "--sandbox", "--json"], {
      env,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(JSON.parse(r.stdout).answer, /answered from the sandbox/);
    assert.ok(forkUnderBwrap, "a bwrap process held the fork's worktree while it ran");
  });
});
