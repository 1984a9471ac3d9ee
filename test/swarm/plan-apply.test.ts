/**
 * `braid plan --apply --auto-merge`: real headless Claude sessions against a scripted model; the
 * dependent session starts only after its dependency finished and the merge train merged it.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braidClaudeEnv } from "../helpers/claude.js";
import { braid, gitIn, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import {
  afterTool,
  type ModelStub,
  type StubRequest,
  startModelStub,
  toolResults,
  userTexts,
} from "../helpers/model-stub.js";

/** The request belongs to the session whose task is "write <file>". */
const task = (req: StubRequest, file: string) => userTexts(req).some((t) => t.includes(`write ${file}`));

describe("braid plan --apply (real claude, headless)", () => {
  let sb: Sandbox;
  let repo: string;
  let model: ModelStub;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    // Each session writes its file, commits it, and ends.
    model = await startModelStub({
      responder: (req) => {
        const file = /write (\w+\.txt)/.exec(userTexts(req).join("\n"))?.[1];
        if (!file) return { text: "ok" };
        if (!afterTool(req))
          return { toolUse: { name: "Write", input: { file_path: join(req.cwd ?? "", file), content: `${file}\n` } } };
        const result = toolResults(req)[0]?.text ?? "";
        if (!result.includes("committed-by-agent") && !/\[\S+ [0-9a-f]{7}\]/.test(result)) {
          return {
            toolUse: {
              name: "Bash",
              input: {
                command: `git add -A && git commit -q -m "add ${file}" && echo committed-by-agent`,
                description: "commit",
              },
            },
          };
        }
        return { text: "done" };
      },
    });
    env = braidClaudeEnv(sb, model.url);
    // The user's own Claude settings allow these tools without asking (print mode cannot ask).
    mkdirSync(join(sb.home, ".claude"), { recursive: true });
    writeFileSync(
      join(sb.home, ".claude", "settings.json"),
      JSON.stringify({ permissions: { allow: ["Write", "Bash"] } }),
    );
  });
  after(async () => {
    await model.stop();
    for (let i = 0; ; i++) {
      try {
        sb.cleanup();
        break;
      } catch (e) {
        if (i >= 5) throw e; // a hook process may still be finishing a write
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  });

  it("runs a 3-session plan with one dependency in two waves", async () => {
    const plan = join(sb.root, "plan.toml");
    writeFileSync(
      plan,
      `[[session]]
name = "a"
task = "write a.txt"
owns = ["a.txt"]

[[session]]
name = "b"
task = "write b.txt"
owns = ["b.txt"]

[[session]]
name = "c"
task = "write c.txt"
owns = ["c.txt"]
depends_on = ["a"]
`,
    );
    const r = await braid(sb, repo, ["plan", plan, "--apply", "--auto-merge", "--headless", "--json"], {
      env,
      timeoutMs: 240_000,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.waves, [["a", "b"], ["c"]]);
    assert.equal(out.applied.complete, true);
    assert.deepEqual(out.applied.started.slice(0, 2).sort(), ["a", "b"]);
    assert.equal(out.applied.started[2], "c");
    assert.ok(out.applied.merged.includes("a"), "a was merged before c started");
    assert.match(gitIn(sb, repo, "log", "--format=%s", "main"), /add a\.txt/);
    // c branched from main after a was merged, and its agent ran after a's had ended
    const status = JSON.parse((await braid(sb, repo, ["ls", "--json"], { env })).stdout);
    const c = status.worktrees.find((w: { session: string }) => w.session === "c");
    assert.ok(existsSync(join(c.path, "a.txt")), "wave 2 sees wave 1's merged work");
    const aEnd = Math.max(
      ...model
        .answered()
        .filter((q) => task(q, "a.txt"))
        .map((q) => q.finishedAt ?? Infinity),
    );
    const cReqs = () => model.answered().filter((q) => task(q, "c.txt"));
    const deadline = Date.now() + 60_000;
    while (cReqs().length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    assert.ok(cReqs().length > 0 && Math.min(...cReqs().map((q) => q.receivedAt)) > aEnd, "c started after a ended");
    // let c's agent finish before the sandbox goes (it writes into the repo's .git)
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      const st = JSON.parse((await braid(sb, repo, ["status", "--json"], { env })).stdout);
      const cs = st.sessions.find((s: { name: string }) => s.name === "c");
      if (!["starting", "working", "waiting", "queued"].includes(cs?.state)) break;
      await new Promise((res) => setTimeout(res, 500));
    }
  });
});
