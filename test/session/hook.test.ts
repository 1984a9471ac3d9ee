// `braid hook <event>` as Claude Code runs it: JSON on stdin, env from braid's launch; always exit 0.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid hook", () => {
  const { sb, repo } = useRepo();
  const stateDir = join(repo, ".git", "braid");

  const hook = (event: string, input: unknown, env: NodeJS.ProcessEnv = {}) =>
    braid(sb, repo, ["hook", event], {
      input: typeof input === "string" ? input : JSON.stringify(input),
      env: {
        BRAID_SESSION: "s1",
        BRAID_STATE_DIR: stateDir,
        BRAID_RUN_ID: "run1",
        BRAID_SESSION_TYPE: "implementation",
        ...env,
      },
    });
  const live = () => JSON.parse(readFileSync(join(stateDir, "run", "s1", "live.json"), "utf8"));

  it("records state, Claude's session id and transcript path", async () => {
    const r = await hook("UserPromptSubmit", {
      session_id: "abc",
      transcript_path: "/t/abc.jsonl",
      cwd: repo,
      prompt: "go",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "", "no context to deliver by default");
    assert.deepEqual(
      [live().state, live().conversationId, live().transcriptPath, live().runId],
      ["working", "abc", "/t/abc.jsonl", "run1"],
    );
    await hook("PermissionRequest", { session_id: "abc", tool_name: "Bash", cwd: repo });
    assert.deepEqual([live().state, live().detail], ["waiting", "permission prompt: Bash"]);
    await hook("Stop", { session_id: "abc", cwd: repo });
    assert.equal(live().state, "idle");
  });

  it("denies write tools in research sessions, and only those", async () => {
    const research = { BRAID_SESSION_TYPE: "research" };
    for (const tool of ["Write", "Edit", "MultiEdit", "NotebookEdit"]) {
      const r = await hook(
        "PreToolUse",
        { tool_name: tool, tool_input: { file_path: join(repo, "x") }, cwd: repo },
        research,
      );
      assert.equal(r.code, 0);
      const out = JSON.parse(r.stdout);
      assert.equal(out.hookSpecificOutput.hookEventName, "PreToolUse");
      assert.equal(out.hookSpecificOutput.permissionDecision, "deny");
      assert.match(out.hookSpecificOutput.permissionDecisionReason, /read-only research session/);
    }
    const read = await hook(
      "PreToolUse",
      { tool_name: "Read", tool_input: { file_path: join(repo, "x") }, cwd: repo },
      research,
    );
    assert.equal(read.stdout, "");
    const impl = await hook("PreToolUse", {
      tool_name: "Write",
      tool_input: { file_path: join(repo, "x") },
      cwd: repo,
    });
    assert.equal(impl.stdout, "", "the ownership guard allows by default");
  });

  it("never fails the agent: bad JSON, no braid env, an unwritable state dir all exit 0", async () => {
    const bad = await hook("Stop", "{not json");
    assert.equal(bad.code, 0);
    assert.equal(bad.stdout, "");
    assert.match(readFileSync(join(stateDir, "logs", "hooks.log"), "utf8"), /hook input is not JSON/);

    const outside = await braid(sb, repo, ["hook", "Stop"], { input: "{}" });
    assert.deepEqual([outside.code, outside.stdout, outside.stderr], [0, "", ""]);

    const blocker = join(sb.root, "not-a-dir");
    writeFileSync(blocker, "");
    const broken = await hook("Stop", { cwd: repo }, { BRAID_STATE_DIR: join(blocker, "state") });
    assert.deepEqual([broken.code, broken.stderr], [0, ""]);

    const noEvent = await braid(sb, repo, ["hook"], { input: "{}" });
    assert.equal(noEvent.code, 0);
  });

  it("SessionStart hands the coordination context to the agent as additionalContext", async () => {
    mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
    for (const extra of [{}, { BRAID_MAIN_WORKTREE: repo, BRAID_PROJECT: "app" }]) {
      const r = await hook("SessionStart", { session_id: "abc", cwd: repo, source: "startup" }, extra);
      assert.equal(r.code, 0);
      const out = JSON.parse(r.stdout);
      assert.equal(out.hookSpecificOutput.hookEventName, "SessionStart");
      assert.equal(typeof out.hookSpecificOutput.additionalContext, "string");
      assert.ok(out.hookSpecificOutput.additionalContext.length > 0);
    }
    assert.equal(live().state, "idle");
    assert.ok(
      !existsSync(join(stateDir, "logs", "hooks.log")) ||
        !/SessionStart/.test(readFileSync(join(stateDir, "logs", "hooks.log"), "utf8")),
    );
  });

  it("UserPromptSubmit delivers each note once, from the file's mark as well: new, cleared and rewritten files", async () => {
    const asLaunched = { BRAID_MAIN_WORKTREE: repo, BRAID_PROJECT: "app" }; // the hook's fast path needs these
    const prompt = () => hook("UserPromptSubmit", { session_id: "abc", cwd: repo, prompt: "go" }, asLaunched);
    const delivered = async () => {
      const r = await prompt();
      assert.equal(r.code, 0, r.stderr);
      return r.stdout ? String(JSON.parse(r.stdout).hookSpecificOutput.additionalContext) : "";
    };
    const post = async (text: string) => assert.equal((await braid(sb, repo, ["note", text])).code, 0);
    await post("first note");
    assert.match(await delivered(), /first note/);
    assert.equal(await delivered(), "", "nothing new: the second prompt gets nothing");
    const cursor = JSON.parse(readFileSync(join(stateDir, "run", "s1", "notes-cursor.json"), "utf8"));
    assert.equal(typeof cursor.seen?.size, "number", "the cursor marks the file it saw");
    await post("second note");
    const second = await delivered();
    assert.match(second, /second note/);
    assert.doesNotMatch(second, /first note/);
    // Cleared by hand, then a note: the mark no longer matches, and the note arrives.
    const notesFile = join(sb.env.HOME as string, ".claude", "workflows", "notes", "app.md");
    assert.match(readFileSync(notesFile, "utf8"), /second note/, "the project's notes file");
    writeFileSync(notesFile, "");
    assert.equal(await delivered(), "", "an empty file holds nothing to deliver");
    await post("third note");
    assert.match(await delivered(), /third note/);
    assert.equal(await delivered(), "");
  });
});
