/**
 * The layered state decision, as a pure function: the registry's lifecycle first (queued, stopped,
 * done ...), then process state (an ended agent is done/failed whatever its hooks said last), then the
 * agent's hooks, with the screen as a cross-check, and the screen alone for agents without hooks.
 */
import type { ScreenReading } from "../agents/index.js";
import type { SessionRecord, SessionState } from "../project/state.js";
import { isActive } from "../project/state.js";
import type { SessionRuntime } from "../runtime/run.js";
import type { EndedRun } from "../runtime/runner.js";
import type { LiveState } from "./live.js";

export interface Observation {
  record: SessionRecord;
  runtime: SessionRuntime | null;
  live: LiveState | null;
  ended: EndedRun | null;
  screen: ScreenReading | null;
  agentAlive: boolean;
  now: number;
}

export interface Resolved {
  state: SessionState;
  since: string | null;
  detail: string | null;
}

/** A screen that disagrees with the last hook wins only after the hooks went quiet this long. */
export const SCREEN_OVERRIDE_MS = 1500;

/** How long after launch an agent with hooks may take to report its first one. */
const FIRST_HOOK_GRACE_MS = 30_000;

export function resolveState(o: Observation): Resolved {
  const { record, runtime, ended, screen } = o;
  if (!isActive(record.status)) {
    const launchError = typeof record.ext?.launchError === "string" ? record.ext.launchError : null;
    return { state: record.status, since: record.statusSince ?? null, detail: runtime?.detail ?? launchError };
  }
  if (ended) return { state: ended.status, since: new Date(o.now).toISOString(), detail: ended.detail };
  const live = o.live && runtime && o.live.runId === runtime.runId ? o.live : null;
  if (live) {
    const quietMs = o.now - Date.parse(live.at);
    // A prompt on screen is definitive and often ahead of its hook (the hook is a process start away):
    // believe it at once. Other disagreements (a prompt answered, a dialog hooks never report) need the
    // hooks to have been quiet for a moment first.
    if (screen?.state === "waiting" && live.state !== "waiting")
      return { state: "waiting", since: new Date(o.now).toISOString(), detail: screen.detail ?? "screen: waiting" };
    if (screen && screen.state !== live.state && live.state === "waiting" && quietMs > SCREEN_OVERRIDE_MS)
      return { state: screen.state, since: live.at, detail: screen.detail ?? `screen: ${screen.state}` };
    // The agent said its session ended, but its run has not: the wrapper is still finishing it (a sandboxed one
    // brings its last commits back first). Done comes from the run's end, so whoever sees it done sees those.
    if (live.state === "done") return { state: "working", since: live.at, detail: "session ended, finishing the run" };
    return { state: live.state, since: live.since, detail: live.detail };
  }
  // An agent with hooks draws its empty input box before it takes the initial prompt and before its first hook:
  // that screen says "idle" while the task has not even begun. Believe such a screen only once the hooks are
  // overdue (they may be broken); a prompt on screen is believed at once.
  const hooksOverdue = !runtime?.hooks || o.now - Date.parse(runtime.launchedAt) > FIRST_HOOK_GRACE_MS;
  if (screen && (screen.state !== "idle" || hooksOverdue))
    return { state: screen.state, since: record.statusSince ?? null, detail: screen.detail ?? null };
  if (runtime && !runtime.hooks && o.agentAlive)
    return { state: "working", since: runtime.launchedAt, detail: "running" };
  return { state: "starting", since: record.statusSince ?? null, detail: null };
}
