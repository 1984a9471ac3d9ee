/**
 * Claude Code: braid picks the conversation id (`--session-id`), passes its hooks with `--settings`
 * (nothing is written into the user's files; hook lists from several sources are combined, so the
 * user's own hooks keep working), and resumes with `--resume <id>` (or `--continue` without one).
 */
import { fileURLToPath } from "node:url";
import type { AgentAdapter, AgentLaunch, LaunchRequest } from "./types.js";

/** Every hook event braid listens to. */
export const CLAUDE_HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "PreToolUse",
  "PostToolUse",
  "PermissionRequest",
  "Notification",
  "Stop",
  "SessionEnd",
] as const;

/** Tools a read-only session must not have. */
export const WRITE_TOOLS = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

/** Quote for a POSIX shell: Claude runs hook commands through one. Only braid's own paths go in here. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute path of braid's launcher, so hooks work without braid on PATH. */
export function braidBin(): string {
  return fileURLToPath(new URL("../../../bin/braid.js", import.meta.url));
}

/** Tools whose PreToolUse braid answers: write tools (read-only deny, ownership guard) and questions (waiting). */
export const INSPECTED_TOOLS = [...WRITE_TOOLS, "AskUserQuestion"];

/**
 * After any tool ran, the agent is working again (it may have been waiting on a permission prompt). That needs
 * no decision, so it is a bare `touch` of the session's activity marker (live.ts reads it): no node, no braid
 * process on every tool call. Hook commands run in the agent's environment, where braid set both variables.
 */
export const ACTIVITY_HOOK =
  '[ -n "$BRAID_STATE_DIR" ] && [ -n "$BRAID_SESSION" ] && touch -- "$BRAID_STATE_DIR/run/$BRAID_SESSION/activity" 2>/dev/null; exit 0';

/**
 * The `--settings` JSON: one command hook per event, each `node braid.js hook <event>`, except that
 * PreToolUse runs braid only for the tools it inspects, and PostToolUse is the activity touch.
 */
export function claudeHookSettings(node = process.execPath, bin = braidBin()): string {
  const hooks: Record<string, unknown> = {};
  const braidHook = (ev: string) => ({
    type: "command",
    command: `${shellQuote(node)} ${shellQuote(bin)} hook ${ev}`,
    timeout: 30,
  });
  for (const ev of CLAUDE_HOOK_EVENTS) {
    if (ev === "PostToolUse") {
      hooks[ev] = [{ matcher: "*", hooks: [{ type: "command", command: ACTIVITY_HOOK, timeout: 5 }] }];
    } else if (ev === "PreToolUse") {
      hooks[ev] = [{ matcher: INSPECTED_TOOLS.join("|"), hooks: [braidHook(ev)] }];
    } else {
      hooks[ev] = [{ ...(ev === "PermissionRequest" ? { matcher: "*" } : {}), hooks: [braidHook(ev)] }];
    }
  }
  return JSON.stringify({ hooks });
}

export function claudeAdapter(command: string[] = ["claude"]): AgentAdapter {
  return {
    name: "claude",
    command,
    install: "npm install -g @anthropic-ai/claude-code",
    supportsReadOnly: true,
    supportsResume: true,
    build(req: LaunchRequest): AgentLaunch {
      const argv = [...command];
      if (req.headless) argv.push("-p", "--output-format", "stream-json", "--verbose");
      let conversationId: string | null = req.conversationId;
      if (req.forkFrom && !req.resume) {
        argv.push("--resume", req.forkFrom, "--fork-session", "--session-id", req.conversationId);
      } else if (req.resume && req.previousConversationId) {
        argv.push("--resume", req.previousConversationId);
        conversationId = req.previousConversationId;
      } else if (req.resume) {
        argv.push("--continue");
        conversationId = null;
      } else argv.push("--session-id", req.conversationId);
      argv.push("--settings", claudeHookSettings());
      if (req.readOnly) argv.push("--permission-mode", "plan", "--disallowedTools", WRITE_TOOLS.join(","));
      // `--` ends the options: a task starting with '-' stays a prompt, and variadic flags cannot swallow it.
      if (req.prompt) argv.push("--", req.prompt);
      return { argv, env: {}, conversationId, hooks: true };
    },
  };
}
