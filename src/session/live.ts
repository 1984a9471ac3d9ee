/**
 * Live state reported by agent hooks, and the state machine that turns hook events into states.
 * Pure functions + one small file per session (see paths.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic } from "../infra/fsutil.js";
import { hasField, readJsonFile } from "../infra/json.js";
import { eventMarkFile, liveFile, MARKED_EVENT_NAMES, MARKS_WITH_INPUT, type MarkedEvent } from "../runtime/paths.js";

export type LiveStateName = "starting" | "working" | "waiting" | "idle" | "done";

export interface LiveState {
  /** Launch this state belongs to (hooks of an older run are ignored). */
  runId: string;
  state: LiveStateName;
  detail: string | null;
  /** ISO time the state began. */
  since: string;
  /** ISO time of the last hook event. */
  at: string;
  event: string;
  /** The agent's own conversation id (Claude's session_id) and transcript file, once known. */
  conversationId: string | null;
  transcriptPath: string | null;
}

/** The subset of Claude Code's hook input braid reads. */
export interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  notification_type?: string;
  message?: string;
  source?: string;
  reason?: string;
  prompt?: string;
  /** Set by braid (not Claude): the agent was launched with a first prompt it is about to work on. */
  braidInitialPrompt?: boolean;
}

function short(s: string, n = 60): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** Next state for one hook event. Returns null when the event says nothing about the state. */
export function stateForEvent(
  prev: Pick<LiveState, "state" | "detail"> | null,
  event: string,
  input: HookInput,
): { state: LiveStateName; detail: string | null } | null {
  const tool = input.tool_name ?? "";
  switch (event) {
    case "SessionStart":
      // A compaction restarts the session mid-turn: keep what we had.
      if (input.source === "compact" && prev) return null;
      // Launched with a task: the prompt is submitted right after start-up, so this is not an idle moment.
      if (input.braidInitialPrompt && (input.source ?? "startup") === "startup")
        return { state: "working", detail: "starting on the task" };
      return { state: "idle", detail: "ready" };
    case "UserPromptSubmit":
      return { state: "working", detail: "thinking" };
    case "PreToolUse":
      if (tool === "AskUserQuestion") return { state: "waiting", detail: "question" };
      return { state: "working", detail: tool ? `tool: ${tool}` : "tool" };
    case "PostToolUse":
      return { state: "working", detail: "thinking" };
    case "PermissionRequest":
      return { state: "waiting", detail: tool ? `permission prompt: ${tool}` : "permission prompt" };
    case "Notification": {
      const kind = input.notification_type ?? "";
      if (kind === "permission_prompt") {
        // PermissionRequest usually came first and named the tool: keep that detail.
        if (prev?.state === "waiting") return null;
        return { state: "waiting", detail: "permission prompt" };
      }
      if (kind === "elicitation_dialog") return { state: "waiting", detail: "question" };
      if (kind === "idle_prompt")
        return prev?.state === "waiting" ? null : { state: "idle", detail: "waiting for a prompt" };
      return null;
    }
    case "Stop":
      return { state: "idle", detail: "turn finished" };
    case "SessionEnd":
      return { state: "done", detail: input.reason ? `session ended: ${short(input.reason)}` : "session ended" };
    default:
      return null;
  }
}

/** Apply one hook event to the previous live state (of the same run) and return the new one. */
export function applyHookEvent(
  prev: LiveState | null,
  runId: string,
  event: string,
  input: HookInput,
  now: Date = new Date(),
): LiveState {
  const base = prev && prev.runId === runId ? prev : null;
  const iso = now.toISOString();
  const next = stateForEvent(base, event, input);
  const state = next?.state ?? base?.state ?? "starting";
  const detail = next ? next.detail : (base?.detail ?? null);
  return {
    runId,
    state,
    detail,
    since: base && base.state === state ? base.since : iso,
    at: iso,
    event,
    conversationId: input.session_id ?? base?.conversationId ?? null,
    transcriptPath: input.transcript_path ?? base?.transcriptPath ?? null,
  };
}

const isLiveState = hasField<LiveState>("state", "string");

export function readLive(stateDir: string, name: string): LiveState | null {
  const data = readJsonFile(liveFile(stateDir, name), isLiveState);
  return data ? withMarkedEvents(data, markedEvents(stateDir, name, Date.parse(data.at) + 1)) : null;
}

/** An event the agent's shell recorded in its file (MARKED_EVENTS), at the file's mtime. */
export interface MarkedAt {
  event: MarkedEvent;
  atMs: number;
  /** What the mark says of the hook's input: PreToolUse's tool, or the fields read from MARKS_WITH_INPUT's file. */
  input?: HookInput;
}

/** The fields of a hook's input that live state reads: all of them a short string. */
const INPUT_FIELDS = ["session_id", "transcript_path", "tool_name", "notification_type", "reason"] as const;

/**
 * What a mark's file says of its hook's input. The file holds only the input's start (claude.ts), so a long one is
 * not whole JSON: then each field is its first occurrence, which in Claude's input is the top-level one
 * (they come before tool_input, the only part of any size).
 */
export function markInput(text: string): HookInput {
  try {
    const whole = JSON.parse(text) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const f of INPUT_FIELDS) if (typeof whole[f] === "string") out[f] = whole[f];
    return out;
  } catch {
    const out: Record<string, string> = {};
    for (const f of INPUT_FIELDS) {
      const m = new RegExp(`"${f}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(text);
      if (!m?.[1]) continue;
      try {
        out[f] = JSON.parse(m[1]) as string;
      } catch {
        /* a damaged string: as if not there */
      }
    }
    return out;
  }
}

/**
 * The marked events of a session at or after `afterMs` (only those are read). No file yet is the usual case: asked
 * without an exception (most of a stat's cost).
 */
function markedEvents(stateDir: string, name: string, afterMs: number): MarkedAt[] {
  const out: MarkedAt[] = [];
  for (const event of MARKED_EVENT_NAMES) {
    try {
      const file = eventMarkFile(stateDir, name, event);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st || st.mtimeMs < afterMs) continue;
      let input: HookInput | undefined;
      if (event === "PreToolUse") {
        const tool = readFileSync(file, "utf8").trim();
        if (tool) input = { tool_name: tool };
      } else if (MARKS_WITH_INPUT.includes(event)) input = markInput(readFileSync(file, "utf8"));
      out.push({ event, atMs: st.mtimeMs, ...(input ? { input } : {}) });
    } catch {
      /* unreadable: as if not there */
    }
  }
  return out;
}

/**
 * Live state with the events marked after its last recorded one applied in time order (equal times in the order of
 * a turn), exactly as their hooks would have. A finished tool (PostToolUse) only ends a wait: while working, the
 * detail of the tool PreToolUse named stays.
 */
export function withMarkedEvents(live: LiveState, marks: MarkedAt[]): LiveState {
  // live.at has whole milliseconds: a mark within the recorded event's millisecond may be older than it
  const after = Date.parse(live.at) + 1;
  const newer = marks
    .filter((m) => m.atMs >= after)
    .sort((a, b) => a.atMs - b.atMs || MARKED_EVENT_NAMES.indexOf(a.event) - MARKED_EVENT_NAMES.indexOf(b.event));
  let state = live;
  for (const m of newer) {
    if (m.event === "PostToolUse" && state.state !== "waiting") continue;
    state = applyHookEvent(state, state.runId, m.event, m.input ?? {}, new Date(m.atMs));
  }
  return state;
}

/**
 * Not fsynced: every hook event rewrites it and the agent waits for the hook (two fsyncs were most of a
 * hook's time on a busy disk); after a crash the next event rewrites it, and readers never see a torn file.
 */
export function writeLive(stateDir: string, name: string, live: LiveState): void {
  writeFileAtomic(liveFile(stateDir, name), `${JSON.stringify(live)}\n`, { durable: false });
}
