/** `braid fork`: the real `claude -p --resume --fork-session` against a scripted model. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { braidClaudeEnv, CLAUDE_BIN } from "../helpers/claude.js";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import {
  afterTool,
  type ModelStub,
  type StubRequest,
  startModelStub,
  toolNames,
  userTexts,
} from "../helpers/model-stub.js";

describe("braid fork (real claude -p against a scripted model)", () => {
  let sb: Sandbox;
  let repo: string;
  let model: ModelStub;
  let env: NodeJS.ProcessEnv;
  let parentPath: string;
  const sawSecret = (req: StubRequest) => userTexts(req).some((t) => t.includes("PARENT-SECRET-42"));

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app", { "README.md": "# app\n", "src/a.ts": "export const a = 1;\n" });
    model = await startModelStub({
      responder: (req) => {
        if (req.cwd === parentPath) return { text: "noted" };
        if (sawSecret(req)) {
          // The fork tries to write; read-only enforcement must stop it.
          if (!afterTool(req))
            return {
              toolUse: { name: "Write", input: { file_path: join(req.cwd ?? "", "HACKED.txt"), content: "x" } },
            };
          return { text: "the secret from the parent conversation is 42" };
        }
        return { text: "I do not know any secret" };
      },
    });
    env = braidClaudeEnv(sb, model.url);
    const created = await braid(sb, repo, ["new", "parent", "--json"], { env });
    assert.equal(created.code, 0, created.stderr);
    parentPath = JSON.parse(created.stdout).path;
    // The parent's conversation, and uncommitted work the fork must see.
    // async: the model stub answers from this same process
    await promisify(execFile)(CLAUDE_BIN, ["-p", "remember PARENT-SECRET-42", "--session-id", randomUUID()], {
      cwd: parentPath,
      env: { ...sb.env, ...env },
      timeout: 90_000,
    });
    writeFileSync(join(parentPath, "src", "a.ts"), "export const a = 2; // uncommitted\n");
  });
  after(async () => {
    await model.stop();
    sb.cleanup();
  });

  it("answers from the forked conversation in a detached snapshot worktree and cannot write", async () => {
    const from = model.requests.length;
    const r = await braid(
      sb,
      repo,
      ["fork", "parent", "--as", "pf", "--prompt", "what was the secret?", "--keep", "--json"],
      {
        env,
        timeoutMs: 120_000,
      },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout);
    assert.match(out.answer, /secret from the parent conversation is 42/);
    const forkReqs = model.answered(from).filter((q) => q.cwd === out.session.path);
    assert.ok(forkReqs.length > 0, "the fork ran in its own worktree");
    assert.ok(forkReqs.every(sawSecret), "the model saw the parent conversation");
    assert.ok(
      forkReqs.every((q) => !toolNames(q).some((t) => ["Write", "Edit", "Bash"].includes(t))),
      "no writing tools are offered",
    );
    assert.ok(!existsSync(join(out.session.path, "HACKED.txt")), "the write was refused");
    assert.equal(out.session.type, "research");
    assert.equal(out.kept, true, "--keep keeps the fork");
    assert.ok(existsSync(out.session.path));
    assert.equal(out.session.ext.fork.from, "parent");
    assert.ok(out.session.ext.fork.conversationId, "the fork's own conversation is recorded");
    assert.notEqual(out.session.ext.fork.conversationId, out.session.ext.fork.parentConversation);
    // detached at a snapshot that includes the parent's uncommitted work; the parent is untouched
    assert.equal(gitIn(sb, out.session.path, "rev-parse", "HEAD"), out.session.ext.fork.snapshot);
    assert.throws(() => gitIn(sb, out.session.path, "symbolic-ref", "-q", "HEAD"), "HEAD is detached");
    assert.match(readFileSync(join(out.session.path, "src", "a.ts"), "utf8"), /a = 2/);
    assert.match(gitIn(sb, parentPath, "status", "--porcelain"), /M src\/a\.ts/, "parent's work stays uncommitted");
    // commits are refused in the fork (research sessions are read-only)
    writeFileSync(join(out.session.path, "note.txt"), "x");
    gitIn(sb, out.session.path, "add", "note.txt");
    assert.throws(() => gitIn(sb, out.session.path, "commit", "-m", "sneaky"), /commit refused/);
  });

  it("removes a one-question fork once it has answered (no leftover worktree or session)", async () => {
    const r = await braid(sb, repo, ["fork", "parent", "--as", "once", "--prompt", "what was the secret?"], {
      env,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /secret from the parent conversation is 42/);
    assert.equal(r.stderr, "", "no warning: the fork was removed");
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"], { env })).stdout);
    assert.deepEqual(
      ls.worktrees
        .map((w: { session: string | null }) => w.session)
        .filter(Boolean)
        .sort(),
      ["parent", "pf"],
      "only the parent and the kept fork remain",
    );
    assert.ok(!gitIn(sb, repo, "worktree", "list").includes("app-once"), "git forgot the worktree");
    assert.ok(!existsSync(join(sb.root, "app-once")), "the worktree directory is gone");
  });

  it("refuses bad input with one-line errors", async () => {
    const cases: [string[], RegExp][] = [
      [["fork", "nope"], /no session named "nope"/],
      [["fork", "parent", "--as", "pf"], /already exists/],
      [["fork", "parent", "--as", "bad/name"], /path separator/],
      [["fork", "parent", "--prompt", "  "], /question is empty/],
      [["swarm", "run", "pf", "build it"], /research session; a swarm commits/],
    ];
    for (const [args, re] of cases) {
      const r = await braid(sb, repo, args, { env });
      assert.ok(isOneLineError(r), `${args.join(" ")}: ${r.code} ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    const fresh = await braid(sb, repo, ["new", "quiet"], { env });
    assert.equal(fresh.code, 0, fresh.stderr);
    const r = await braid(sb, repo, ["fork", "quiet"], { env });
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /no Claude conversation to fork/);
  });
});
