// The hooks exactly as braid registers them with Claude Code (claudeHookSettings), run through /bin/sh as Claude
// runs them: their common case (no note waiting, no notification asked for, no owned paths, a research session's
// edit) starts no braid process and still records the state; everything else, and anything unsure, goes to braid's
// hook, which delivers, decides and notifies. A logging stand-in for node says which ran.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { researchEditDenial } from "../../src/agents/claude/tools.js";
import { braidBin, claudeHookSettings } from "../../src/agents/claude.js";
import { StateStore } from "../../src/project/state.js";
import { readLive } from "../../src/session/live.js";
import { braid } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("hooks settled by the shell", () => {
  const { sb, repo } = useRepo();
  const stateDir = () => join(repo, ".git", "braid");
  const runDir = () => join(stateDir(), "run", "s1");
  const calls = () => join(sb.root, "braid-hooks.log");
  const notesFile = () => join(sb.home, ".claude", "workflows", "notes", "app.md");
  const globalConfig = () => join(sb.home, ".config", "braid", "config.toml");
  let commands: Record<string, string>;
  before(() => {
    const node = join(sb.root, "node-logged");
    writeFileSync(node, `#!/bin/sh\necho "$2" >> '${calls()}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(node, 0o755);
    const hooks = JSON.parse(claudeHookSettings(node, braidBin())).hooks;
    commands = Object.fromEntries(
      ["SessionStart", "UserPromptSubmit", "PermissionRequest", "Notification", "Stop", "SessionEnd"].map((ev) => [
        ev,
        hooks[ev][0].hooks[0].command,
      ]),
    );
    for (const g of hooks.PreToolUse) commands[`PreToolUse ${g.matcher}`] = g.hooks[0].command;
    commands.PostToolUse = hooks.PostToolUse[0].hooks[0].command;
    mkdirSync(runDir(), { recursive: true });
  });

  /** What braid puts into a session agent's environment (session/launch.ts agentEnv). */
  const env = () => ({
    ...sb.env,
    BRAID_SESSION: "s1",
    BRAID_STATE_DIR: stateDir(),
    BRAID_RUN_ID: "run1",
    BRAID_SESSION_TYPE: "implementation",
    BRAID_MAIN_WORKTREE: repo,
    BRAID_PROJECT: "app",
    BRAID_NOTES_FILE: notesFile(),
    BRAID_GLOBAL_CONFIG: globalConfig(),
    BRAID_WORKTREE: join(sb.root, "app-s1"),
  });
  /** Run one registered hook; says whether braid ran for it and what it printed for Claude. */
  const fire = (event: string, extra: Record<string, string> = {}, input: object = { prompt: "go" }) => {
    writeFileSync(calls(), "");
    const r = spawnSync("/bin/sh", ["-c", commands[event] as string], {
      cwd: repo,
      env: { ...env(), ...extra },
      input: JSON.stringify({ session_id: "abc", cwd: repo, ...input }),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "", `${event}: nothing on stderr`);
    const ran = readFileSync(calls(), "utf8").includes(event.split(" ")[0] as string);
    const out = r.stdout ? JSON.parse(r.stdout).hookSpecificOutput : undefined;
    if (out?.permissionDecision === "deny")
      assert.deepEqual(JSON.parse(r.stdout), researchEditDenial(extra.BRAID_SESSION ?? "s1"));
    const context = out ? String(out.additionalContext ?? out.permissionDecisionReason ?? "") : "";
    return { ran, context };
  };
  /** A file edit by the agent of s1, in its worktree. */
  const worktree = () => join(sb.root, "app-s1");
  const edit = (tool: string, file: string, extra: Record<string, string> = {}) =>
    fire(`PreToolUse ${tool}`, extra, {
      tool_name: tool,
      tool_input: { [tool === "NotebookEdit" ? "notebook_path" : "file_path"]: join(worktree(), file) },
    });
  const researchReason = (name: string) =>
    String((researchEditDenial(name).hookSpecificOutput as Record<string, string>).permissionDecisionReason);
  const post = async (text: string) => assert.equal((await braid(sb, repo, ["note", text])).code, 0);
  const state = () => {
    const l = readLive(stateDir(), "s1");
    return [l?.state, l?.detail];
  };

  it("no note anywhere: the prompt and the turn's end start no braid, and the state follows", () => {
    assert.equal(fire("SessionStart").ran, true, "SessionStart is braid's");
    assert.deepEqual(state(), ["idle", "ready"]);
    assert.ok(!existsSync(notesFile()));
    assert.deepEqual(fire("UserPromptSubmit"), { ran: false, context: "" });
    assert.deepEqual(state(), ["working", "thinking"]);
    assert.equal(fire("Stop").ran, false);
    assert.deepEqual(state(), ["idle", "turn finished"]);
  });

  it("a note waiting: braid delivers it once, and the next prompt is the shell's again", async () => {
    await post("first note");
    const first = fire("UserPromptSubmit");
    assert.equal(first.ran, true);
    assert.match(first.context, /first note/);
    assert.equal(readFileSync(join(runDir(), "notes-seen"), "utf8"), `${readFileSync(notesFile()).length}\n`);
    assert.deepEqual(fire("UserPromptSubmit"), { ran: false, context: "" });
    assert.deepEqual(state(), ["working", "thinking"]);
  });

  it("a note written while the clock was behind (an older mtime) still reaches braid: its size differs", async () => {
    await post("second note");
    utimesSync(notesFile(), new Date("2020-01-01"), new Date("2020-01-01"));
    const r = fire("UserPromptSubmit");
    assert.equal(r.ran, true);
    assert.match(r.context, /second note/);
    assert.doesNotMatch(r.context, /first note/);
  });

  it("a damaged or missing notes-seen file, or no notes variable (an older launch): braid is asked", async () => {
    writeFileSync(join(runDir(), "notes-seen"), "garbage");
    assert.deepEqual(fire("UserPromptSubmit"), { ran: true, context: "" });
    assert.deepEqual(fire("UserPromptSubmit"), { ran: false, context: "" }, "braid rewrote it");
    assert.equal(fire("UserPromptSubmit", { BRAID_NOTES_FILE: "" }).ran, true);
  });

  it("file edits: the shell's while no session owns paths; braid's guard once one does, and for research", async () => {
    assert.equal(edit("Edit", "a.txt").ran, true, "no registry written yet: braid decides");
    for (const name of ["s1", "other"]) assert.equal((await braid(sb, repo, ["new", name])).code, 0);
    for (const tool of ["Edit", "Write", "MultiEdit", "NotebookEdit"]) {
      assert.deepEqual(edit(tool, "a.txt"), { ran: false, context: "" }, tool);
      assert.deepEqual(state(), ["working", `tool: ${tool}`]);
    }
    // a research session's edit: denied by the shell, with braid's own answer; by braid for a name it cannot print
    for (const tool of ["Edit", "Write"]) {
      const research = edit(tool, "a.txt", { BRAID_SESSION_TYPE: "research" });
      assert.equal(research.ran, false, tool);
      assert.equal(research.context, researchReason("s1"));
      assert.deepEqual(state(), ["working", `tool: ${tool}`]);
    }
    const odd = edit("Write", "a.txt", { BRAID_SESSION_TYPE: "research", BRAID_SESSION: 'a"b' });
    assert.equal(odd.ran, true);
    assert.equal(odd.context, researchReason('a"b'));

    // `braid start --owns` records this: the registry's own update, as every braid command writes it
    const store = new StateStore(stateDir());
    await store.patch("other", { owns: ["src/**"] });
    assert.ok(!existsSync(join(stateDir(), "no-owners")), "gone with the first owner");
    assert.equal(readFileSync(join(stateDir(), "owned-prefixes"), "utf8"), "src\n");
    const owned = edit("Edit", "src/x.ts");
    assert.equal(owned.ran, true);
    assert.match(owned.context, /owned by braid session "other"/);
    // outside every owned path: the shell's (it reads the path from the input, resolves its folder)
    assert.deepEqual(edit("Edit", "a.txt"), { ran: false, context: "" }, "outside the owned paths");
    assert.deepEqual(state(), ["working", "tool: Edit"]);
    const big = {
      tool_name: "Write",
      tool_input: { file_path: join(worktree(), "b.txt"), content: "x".repeat(1 << 20) },
    };
    assert.deepEqual(fire("PreToolUse Write", {}, big), { ran: false, context: "" }, "a 1 MB Write outside them");
    // unsure: braid's guard decides, with the input the shell read
    mkdirSync(join(worktree(), "src"), { recursive: true });
    symlinkSync(join(worktree(), "src"), join(worktree(), "lnk"));
    assert.match(edit("Edit", "lnk/x.ts").context, /owned by braid session "other"/, "through a symlink into src/");
    assert.equal(edit("Edit", "srcish/x.ts").ran, true, "a folder not made yet");
    assert.equal(edit("Edit", 'a\\"b.txt').ran, true, "a name JSON escapes");
    assert.equal(edit("Edit", "a.txt", { BRAID_WORKTREE: "" }).ran, true, "an older launch");
    assert.equal(edit("NotebookEdit", "n.ipynb").ran, false, "NotebookEdit's notebook_path");

    await store.patch("other", { owns: [] });
    assert.deepEqual(edit("Edit", "src/x.ts"), { ran: false, context: "" }, "no owner left");
    // a registry written by anything but braid's own update (a restore, a hand edit) is newer: braid decides again
    const registry = join(stateDir(), "state.json");
    writeFileSync(registry, readFileSync(registry, "utf8"));
    assert.equal(edit("Edit", "a.txt").ran, true);
  });

  it("waits and the session's end: the shell records them with what their input says; braid when asked to notify", () => {
    const bash = { tool_name: "Bash", tool_input: { command: "x".repeat(10_000) } };
    assert.equal(fire("PermissionRequest", {}, bash).ran, false);
    assert.deepEqual(state(), ["waiting", "permission prompt: Bash"], "the tool, from an input cut at 4 KB");
    assert.ok(statSync(join(runDir(), "permission")).size <= 4096);
    assert.equal(fire("Notification", {}, { notification_type: "permission_prompt" }).ran, false);
    assert.deepEqual(state(), ["waiting", "permission prompt: Bash"], "the permission's detail stays");
    assert.deepEqual(fire("PreToolUse AskUserQuestion", {}, { tool_name: "AskUserQuestion" }), {
      ran: false,
      context: "",
    });
    assert.deepEqual(state(), ["waiting", "question"]);
    assert.equal(fire("Notification", {}, { notification_type: "idle_prompt" }).ran, false);
    assert.deepEqual(state(), ["waiting", "question"], "an idle reminder does not end a wait");
    assert.equal(fire("Stop").ran, false);
    assert.equal(fire("Notification", {}, { notification_type: "idle_prompt" }).ran, false);
    assert.deepEqual(state(), ["idle", "waiting for a prompt"]);
    assert.equal(fire("SessionEnd", {}, { reason: "prompt_input_exit", session_id: "resumed" }).ran, false);
    assert.deepEqual(state(), ["done", "session ended: prompt_input_exit"]);
    assert.equal(readLive(stateDir(), "s1")?.conversationId, "resumed", "the conversation, from the mark's input");
    // a notify key (or an older launch without the variable): the events that can notify are braid's
    for (const ev of ["PermissionRequest", "Notification", "PreToolUse AskUserQuestion"])
      assert.equal(fire(ev, { BRAID_GLOBAL_CONFIG: "" }, { tool_name: "AskUserQuestion" }).ran, true, ev);
    assert.equal(fire("SessionEnd", { BRAID_GLOBAL_CONFIG: "" }).ran, false, "the end never notifies");
  });

  it("every hook reads its whole input (a tool's can be megabytes): Claude's write to it never fails", async () => {
    const input = JSON.stringify({
      session_id: "abc",
      tool_name: "Write",
      tool_input: { content: "x".repeat(1 << 20) },
    });
    for (const [event, command] of Object.entries(commands)) {
      const child = spawn("/bin/sh", ["-c", command], { cwd: repo, env: env(), stdio: ["pipe", "ignore", "ignore"] });
      let writeError = "";
      child.stdin.on("error", (e: NodeJS.ErrnoException) => {
        writeError = e.code ?? e.message;
      });
      child.stdin.end(input);
      const code = await new Promise((resolve) => child.on("close", resolve));
      assert.deepEqual([code, writeError], [0, ""], event);
    }
  });

  it("a notify key in a config file: the turn's end goes to braid, which notifies", () => {
    assert.equal(fire("Stop").ran, false);
    mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
    writeFileSync(globalConfig(), "notify_desktop = false\n");
    assert.equal(fire("Stop").ran, true, "global config");
    writeFileSync(globalConfig(), "");
    writeFileSync(join(repo, "braid.toml"), "notify_desktop = false\n");
    assert.equal(fire("Stop").ran, true, "project config");
    writeFileSync(join(repo, "braid.toml"), "");
    assert.equal(fire("Stop").ran, false);
    assert.equal(fire("Stop", { BRAID_GLOBAL_CONFIG: "" }).ran, true, "an older launch");
    assert.deepEqual(state(), ["idle", "turn finished"]);
  });
});
