/**
 * Where a session's runtime files live: `<stateDir>/run/<name>/`.
 *   prompt, tool,      written by the agent's hooks in a shell, no braid process (MARKED_EVENTS): the event happened
 *   permission, ...    at the file's mtime
 *   live.json          state written by agent hooks (one small atomic file per session: hooks never
 *                      take the registry lock, so a busy agent cannot slow other braid commands down)
 *   <runId>/agent.pid  pid of the agent, written by the exec wrapper once it is spawned
 *   <runId>/exit.json  exit code/signal, written by the exec wrapper when the agent ends
 *   <runId>/env.json   the agent's environment (0600), read and deleted by the wrapper before the agent starts
 *   <runId>/output.log the agent's last output: headless stdout+stderr, or the tmux pane's text saved at exit
 * A new runId per launch keeps a late exit of an old run from touching the new one.
 */
import { join } from "node:path";

export function sessionRunDir(stateDir: string, name: string): string {
  return join(stateDir, "run", name);
}

export function liveFile(stateDir: string, name: string): string {
  return join(sessionRunDir(stateDir, name), "live.json");
}

/**
 * Hook events the agent's shell records without braid (claude.ts): writing the event's file says it happened at the
 * file's mtime, and live.ts applies it to live.json. PreToolUse's file holds the tool's name; those in
 * MARKS_WITH_INPUT hold the start of the hook's input (the JSON Claude gave the hook, its first 4 KB). In
 * the order they come in a turn (the order of equal times).
 */
const MARKED_EVENTS = {
  UserPromptSubmit: "prompt",
  PreToolUse: "tool",
  PermissionRequest: "permission",
  Notification: "notification",
  PostToolUse: "activity",
  Stop: "stop",
  SessionEnd: "end",
} as const;
export type MarkedEvent = keyof typeof MARKED_EVENTS;
export const MARKED_EVENT_NAMES = Object.keys(MARKED_EVENTS) as MarkedEvent[];
/** Marks whose file holds the start of the hook's input: what their state's detail says comes from it. */
export const MARKS_WITH_INPUT: readonly MarkedEvent[] = ["PermissionRequest", "Notification", "SessionEnd"];

export function eventMarkFile(stateDir: string, name: string, event: MarkedEvent): string {
  return join(sessionRunDir(stateDir, name), MARKED_EVENTS[event]);
}

export function launchDir(stateDir: string, name: string, runId: string): string {
  return join(sessionRunDir(stateDir, name), runId);
}

export function cascadeLockFile(stateDir: string): string {
  return join(stateDir, "cascade");
}
