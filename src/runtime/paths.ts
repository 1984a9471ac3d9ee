/**
 * Where a session's runtime files live: `<stateDir>/run/<name>/`.
 *   activity, prompt,  touched by the agent's PostToolUse, UserPromptSubmit, PreToolUse (file edits) and Stop hooks
 *   tool, stop         (a shell, no braid process): the event happened then (MARKED_EVENTS)
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
 * Hook events the agent's shell records without braid (claude.ts): touching the event's file says it happened at the
 * file's mtime, and live.ts applies it to live.json (PreToolUse's file holds the tool's name). In the order they
 * come in a turn (the order of equal times).
 */
const MARKED_EVENTS = {
  UserPromptSubmit: "prompt",
  PreToolUse: "tool",
  PostToolUse: "activity",
  Stop: "stop",
} as const;
export type MarkedEvent = keyof typeof MARKED_EVENTS;
export const MARKED_EVENT_NAMES = Object.keys(MARKED_EVENTS) as MarkedEvent[];

export function eventMarkFile(stateDir: string, name: string, event: MarkedEvent): string {
  return join(sessionRunDir(stateDir, name), MARKED_EVENTS[event]);
}

export function launchDir(stateDir: string, name: string, runId: string): string {
  return join(sessionRunDir(stateDir, name), runId);
}

export function cascadeLockFile(stateDir: string): string {
  return join(stateDir, "cascade");
}
