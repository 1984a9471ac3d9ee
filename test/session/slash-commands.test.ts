/**
 * braid's in-session commands as Claude Code slash commands, with the real Claude CLI against the model stub:
 * sessions `braid start`s get them from braid's own plugin folder (`--plugin-dir`, nothing in the repository),
 * and each runs braid, its output reaching the model: `/braid:status`, `/braid:note TEXT`, `/braid:learn TEXT`.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pluginFiles } from "../../src/agents/claude-plugin.js";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome } from "../helpers/claude.js";
import { braid, gitIn, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { type ModelStub, type StubRequest, startModelStub, userTexts } from "../helpers/model-stub.js";

describe("slash commands in braid's Claude sessions", { skip: !claudeAvailable() && "claude not installed" }, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  const wt = (n: string) => join(sb.root, `app-${n}`);

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app", { "README.md": "# app\n" });
    stub = await startModelStub();
    env = { ...claudeEnv(sb, stub.url), PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}` };
    prepareClaudeHome(sb.home, { trustedPaths: ["other", "asker", "poster", "learner"].map(wt) });
    assert.equal((await braid(sb, repo, ["new", "other"], { env })).code, 0);
  });
  after(async () => {
    // the headless agents finish on their own: wait for them before removing the sandbox
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const st = await braid(sb, repo, ["status", "--json"], { env });
      const live = (JSON.parse(st.stdout).sessions as Array<{ state: string }>).filter((v) =>
        ["queued", "starting", "working", "waiting", "idle"].includes(v.state),
      );
      if (live.length === 0) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    await stub.stop();
    for (let i = 0; ; i++) {
      try {
        sb.cleanup();
        break;
      } catch (e) {
        if (i >= 5) throw e;
        await new Promise((r) => setTimeout(r, 500)); // a late transcript write
      }
    }
  });

  /** Start a headless session whose task is a slash command; return the model request it led to. */
  async function runCommand(name: string, task: string, expect: string): Promise<StubRequest> {
    const r = await braid(sb, repo, ["start", name, task, "--headless"], { env, timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    return stub.waitForRequest(
      (q) => q.kind === "main" && q.cwd === wt(name) && userTexts(q).join("\n").includes(expect),
      120_000,
    );
  }

  it("/braid:status shows every session to the model", async () => {
    const req = await runCommand("asker", "/braid:status", "NAME");
    const text = userTexts(req).join("\n");
    assert.match(text, /other\s+implementation/, `status table reached the model:\n${text}`);
    assert.match(text, /asker/);
    // nothing was written into the repository or the worktree
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    assert.ok(!existsSync(join(wt("asker"), ".claude", "commands")));
  });

  it("/braid:note posts a note from the session; /braid:learn saves a learning", async () => {
    await runCommand("poster", "/braid:note Auth API ready at /api/auth", "Auth API ready");
    const notes = await braid(sb, repo, ["notes", "--json"], { env });
    const posted = JSON.parse(notes.stdout).notes as Array<{ from: string; text: string }>;
    assert.ok(
      posted.some((n) => n.from === "poster" && n.text === "Auth API ready at /api/auth"),
      JSON.stringify(posted),
    );
    await runCommand("learner", "/braid:learn Run migrations before tests", "Run migrations");
    const memory = await braid(sb, repo, ["memory", "--json"], { env });
    assert.match(memory.stdout, /Run migrations before tests/);
  });

  it("the plugin folder is braid's own, with paths quoted only when they need it", () => {
    const plain = pluginFiles("/usr/bin/node", "/opt/braid/bin/braid.js");
    assert.match(plain["commands/status.md"] ?? "", /^!`\/usr\/bin\/node \/opt\/braid\/bin\/braid\.js status`$/m);
    assert.match(
      plain["commands/status.md"] ?? "",
      /allowed-tools: Bash\(\/usr\/bin\/node \/opt\/braid\/bin\/braid\.js status:\*\)/,
    );
    const spaced = pluginFiles("/usr/bin/node", "/opt/my braid/bin/braid.js");
    assert.match(spaced["commands/note.md"] ?? "", /'\/opt\/my braid\/bin\/braid\.js' note -- "\$ARGUMENTS"/);
    const dirs = readFileSync(join(sb.root, "app", ".git", "info", "exclude"), "utf8");
    assert.ok(!dirs.includes("claude-plugin"), "nothing about the plugin in the repository");
  });
});
