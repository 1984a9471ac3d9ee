// The hook state machine, the layered state decision and the cascade's slot arithmetic (pure functions).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SessionRecord } from "../../src/project/state.js";
import type { SessionRuntime } from "../../src/runtime/run.js";
import { startable } from "../../src/session/cascade.js";
import { queuePosition } from "../../src/session/control.js";
import { applyHookEvent, type LiveState, stateForEvent } from "../../src/session/live.js";
import { resolveState } from "../../src/session/resolve.js";

describe("hook events → live state", () => {
  const cases: [string, object, string, string | null][] = [
    ["SessionStart", {}, "idle", "ready"],
    ["UserPromptSubmit", { prompt: "x" }, "working", "thinking"],
    ["PreToolUse", { tool_name: "Bash" }, "working", "tool: Bash"],
    ["PreToolUse", { tool_name: "AskUserQuestion" }, "waiting", "question"],
    ["PermissionRequest", { tool_name: "Bash" }, "waiting", "permission prompt: Bash"],
    ["PostToolUse", { tool_name: "Bash" }, "working", "thinking"],
    ["Notification", { notification_type: "permission_prompt" }, "waiting", "permission prompt"],
    ["Notification", { notification_type: "elicitation_dialog" }, "waiting", "question"],
    ["Notification", { notification_type: "idle_prompt" }, "idle", "waiting for a prompt"],
    ["Stop", {}, "idle", "turn finished"],
    ["SessionEnd", { reason: "prompt_input_exit" }, "done", "session ended: prompt_input_exit"],
  ];
  for (const [event, input, state, detail] of cases) {
    it(`${event} ${JSON.stringify(input)} → ${state}`, () => {
      assert.deepEqual(stateForEvent({ state: "working", detail: null }, event, input), { state, detail });
    });
  }

  it("keeps the named tool when the permission Notification follows PermissionRequest", () => {
    assert.equal(
      stateForEvent({ state: "waiting", detail: "permission prompt: Bash" }, "Notification", {
        notification_type: "permission_prompt",
      }),
      null,
    );
  });

  it("an idle_prompt notification does not hide a pending question", () => {
    assert.equal(
      stateForEvent({ state: "waiting", detail: "question" }, "Notification", { notification_type: "idle_prompt" }),
      null,
    );
  });

  it("SessionStart of an agent launched with a task is the start of work, not idle", () => {
    assert.deepEqual(stateForEvent(null, "SessionStart", { source: "startup", braidInitialPrompt: true }), {
      state: "working",
      detail: "starting on the task",
    });
    assert.equal(stateForEvent(null, "SessionStart", { source: "clear", braidInitialPrompt: true })?.state, "idle");
  });

  it("a compaction SessionStart keeps the current state; unknown events change nothing", () => {
    assert.equal(stateForEvent({ state: "working", detail: null }, "SessionStart", { source: "compact" }), null);
    assert.equal(stateForEvent({ state: "working", detail: null }, "SubagentStop", {}), null);
  });

  it("keeps `since` while the state holds, records ids, and ignores another run's file", () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const a = applyHookEvent(null, "r1", "UserPromptSubmit", { session_id: "c1", transcript_path: "/t.jsonl" }, t0);
    assert.equal(a.state, "working");
    assert.equal(a.conversationId, "c1");
    const b = applyHookEvent(a, "r1", "PreToolUse", { tool_name: "Bash" }, new Date("2026-01-01T00:00:05Z"));
    assert.equal(b.since, a.since, "same state: since unchanged");
    assert.equal(b.transcriptPath, "/t.jsonl", "ids survive events that do not carry them");
    const c = applyHookEvent(b, "r1", "Stop", {}, new Date("2026-01-01T00:00:09Z"));
    assert.equal(c.since, "2026-01-01T00:00:09.000Z");
    const d = applyHookEvent(c, "r2", "PostToolUse", {}, new Date("2026-01-01T00:01:00Z"));
    assert.equal(d.runId, "r2");
    assert.equal(d.conversationId, null, "a new run starts from scratch");
  });
});

function rec(over: Partial<SessionRecord>): SessionRecord {
  return {
    name: "s",
    branch: "feature/s",
    path: "/x",
    baseRef: "main",
    baseCommit: "0".repeat(40),
    createdAt: "2026-01-01T00:00:00Z",
    order: 1,
    type: "implementation",
    status: "working",
    statusSince: "2026-01-01T00:00:00Z",
    ...over,
  };
}

const RT = { runId: "r1", hooks: true, launchedAt: "2026-01-01T00:00:00Z", detail: null } as SessionRuntime;

function live(state: LiveState["state"], atMsAgo: number, now: number): LiveState {
  const at = new Date(now - atMsAgo).toISOString();
  return { runId: "r1", state, detail: state, since: at, at, event: "x", conversationId: null, transcriptPath: null };
}

describe("resolveState: registry, then process, then hooks, then screen", () => {
  const now = Date.parse("2026-01-01T01:00:00Z");
  const base = { runtime: RT, live: null, ended: null, screen: null, agentAlive: true, now };

  it("registry lifecycle states win", () => {
    for (const status of ["queued", "stopped", "done", "failed", "created"] as const) {
      assert.equal(resolveState({ ...base, record: rec({ status }), live: live("working", 0, now) }).state, status);
    }
  });

  it("an ended process beats the last hook", () => {
    const r = resolveState({
      ...base,
      record: rec({}),
      live: live("working", 0, now),
      ended: { status: "failed", exitCode: 2, detail: "exit 2" },
    });
    assert.deepEqual([r.state, r.detail], ["failed", "exit 2"]);
  });

  it("a SessionEnd hook is not the end: done only once the run ended (the wrapper may still sync commits back)", () => {
    const ending = resolveState({ ...base, record: rec({}), live: live("done", 0, now), agentAlive: false });
    assert.deepEqual([ending.state, ending.detail], ["working", "session ended, finishing the run"]);
    const ended = resolveState({
      ...base,
      record: rec({}),
      live: live("done", 0, now),
      ended: { status: "done", exitCode: 0, detail: "exit code 0" },
    });
    assert.equal(ended.state, "done");
  });

  it("a prompt on screen wins at once (its hook may lag); other screens never override working/idle hooks", () => {
    const screen = { state: "waiting" as const, detail: "permission prompt" };
    const r = resolveState({ ...base, record: rec({}), live: live("working", 0, now), screen });
    assert.deepEqual([r.state, r.detail], ["waiting", "permission prompt"]);
    assert.equal(
      resolveState({ ...base, record: rec({}), live: live("working", 5000, now), screen: { state: "idle" } }).state,
      "working",
    );
    assert.equal(
      resolveState({ ...base, record: rec({}), live: live("idle", 5000, now), screen: { state: "working" } }).state,
      "idle",
    );
  });

  it("an answered prompt: the hook's 'waiting' holds briefly, then the screen wins", () => {
    assert.equal(
      resolveState({ ...base, record: rec({}), live: live("waiting", 200, now), screen: { state: "working" } }).state,
      "waiting",
    );
  });

  it("a stale hook 'waiting' gives way to the screen once the prompt is gone", () => {
    const r = resolveState({ ...base, record: rec({}), live: live("waiting", 5000, now), screen: { state: "idle" } });
    assert.equal(r.state, "idle");
  });

  it("before the first hook, an idle screen is 'starting' (the initial prompt is not taken yet) until hooks are overdue", () => {
    const fresh = { ...RT, hooks: true, launchedAt: new Date(now - 2000).toISOString() };
    assert.equal(
      resolveState({ ...base, runtime: fresh, record: rec({}), screen: { state: "idle" } }).state,
      "starting",
    );
    assert.equal(
      resolveState({ ...base, runtime: fresh, record: rec({}), screen: { state: "waiting" } }).state,
      "waiting",
    );
    const old = { ...fresh, launchedAt: new Date(now - 60_000).toISOString() };
    assert.equal(resolveState({ ...base, runtime: old, record: rec({}), screen: { state: "idle" } }).state, "idle");
  });

  it("a live file from another run is ignored", () => {
    const other = { ...live("waiting", 0, now), runId: "old" };
    assert.equal(resolveState({ ...base, record: rec({ status: "starting" }), live: other }).state, "starting");
  });

  it("agents without hooks: screen, else 'working' while the process lives", () => {
    const noHooks = { ...RT, hooks: false };
    assert.equal(
      resolveState({ ...base, runtime: noHooks, record: rec({}), screen: { state: "waiting" } }).state,
      "waiting",
    );
    assert.equal(resolveState({ ...base, runtime: noHooks, record: rec({}) }).state, "working");
  });
});

describe("cascade slots", () => {
  const sessions = [
    rec({ name: "a", order: 1, status: "working" }),
    rec({ name: "b", order: 2, status: "idle" }),
    rec({ name: "r", order: 3, status: "queued", type: "research" }),
    rec({ name: "c", order: 4, status: "queued" }),
    rec({ name: "d", order: 5, status: "queued" }),
    rec({ name: "e", order: 6, status: "done" }),
  ];

  it("research/review never wait; implementation fills free slots oldest first", () => {
    assert.deepEqual(
      startable(sessions, 2).map((s) => s.name),
      ["r"],
    );
    assert.deepEqual(
      startable(sessions, 3).map((s) => s.name),
      ["r", "c"],
    );
    assert.deepEqual(
      startable(sessions, 10).map((s) => s.name),
      ["r", "c", "d"],
    );
  });

  it("queue positions count from the oldest queued session", () => {
    assert.equal(queuePosition(sessions, "c"), 2);
    assert.equal(queuePosition(sessions, "d"), 3);
    assert.equal(queuePosition(sessions, "a"), null);
  });
});
