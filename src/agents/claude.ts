/**
 * Claude Code, as one unit. Sessions: braid picks the conversation id (`--session-id`), passes its hooks with
 * `--settings` (nothing is written into the user's files; hook lists from several sources are combined, so the
 * user's own hooks keep working), adds braid's slash commands with `--plugin-dir` (claude-plugin.ts), and
 * resumes with `--resume <id>` (or `--continue` without one). One-shot runs: `claude -p --output-format json`
 * with the prompt on stdin (no argv length limit). Its tools per use: claude/tools.ts; its screen:
 * detectors/claude.ts; its transcripts and their cost: claude/transcript.ts.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { claudeToolArgs, HOOKED_TOOLS } from "./claude/tools.js";
import { readTranscript, transcriptFiles } from "./claude/transcript.js";
import { claudePluginDir } from "./claude-plugin.js";
import { detectClaude } from "./detectors/claude.js";
import type { AgentAdapter, AgentLaunch, LaunchRequest, OneShotLaunch, OneShotRequest } from "./types.js";

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

/** Quote for a POSIX shell: Claude runs hook commands through one. Only braid's own paths go in here. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute path of braid's launcher, so hooks work without braid on PATH. */
export function braidBin(): string {
  return fileURLToPath(new URL("../../../bin/braid.js", import.meta.url));
}

/**
 * After any tool ran, the agent is working again (it may have been waiting on a permission prompt). That needs
 * no decision, so it is a bare `touch` of the session's activity marker (live.ts reads it): no node, no braid
 * process on every tool call. Hook commands run in the agent's environment, where braid set both variables.
 */
export const ACTIVITY_HOOK =
  '[ -n "$BRAID_STATE_DIR" ] && [ -n "$BRAID_SESSION" ] && touch -- "$BRAID_STATE_DIR/run/$BRAID_SESSION/activity" 2>/dev/null; exit 0';

/**
 * The program and arguments that handle one hook event: the hook bundle run directly (`node hook.cjs
 * <event>`, one file, no launcher in between: a hook runs on every prompt and checked tool call), or
 * `node braid.js hook <event>` for a checkout whose bundles were not built.
 */
export function hookCommand(node: string, bin: string, event: string): string[] {
  const bundle = join(dirname(bin), "..", "dist", "bundle", "hook.cjs");
  return existsSync(bundle) ? [node, bundle, event] : [node, bin, "hook", event];
}

/**
 * The `--settings` JSON: one command hook per event (hookCommand), except that PreToolUse runs braid only for
 * the tools it inspects, and PostToolUse is the activity touch.
 */
export function claudeHookSettings(node = process.execPath, bin = braidBin()): string {
  const hooks: Record<string, unknown> = {};
  const braidHook = (ev: string) => ({
    type: "command",
    command: hookCommand(node, bin, ev).map(shellQuote).join(" "),
    timeout: 30,
  });
  for (const ev of CLAUDE_HOOK_EVENTS) {
    if (ev === "PostToolUse") {
      hooks[ev] = [{ matcher: "*", hooks: [{ type: "command", command: ACTIVITY_HOOK, timeout: 5 }] }];
    } else if (ev === "PreToolUse") {
      hooks[ev] = [{ matcher: HOOKED_TOOLS.join("|"), hooks: [braidHook(ev)] }];
    } else {
      hooks[ev] = [{ ...(ev === "PermissionRequest" ? { matcher: "*" } : {}), hooks: [braidHook(ev)] }];
    }
  }
  return JSON.stringify({ hooks });
}

/** The Claude Code executable: $BRAID_CLAUDE_BIN, else `claude` on PATH (sessions and one-shot runs alike). */
export function claudeBinary(): string {
  return process.env.BRAID_CLAUDE_BIN || "claude";
}

function claudeOneShot(command: string[], req: OneShotRequest): OneShotLaunch {
  const argv = [...command, "-p", "--output-format", "json"];
  if (req.jsonSchema) argv.push("--json-schema", JSON.stringify(req.jsonSchema));
  argv.push(...claudeToolArgs({ run: "one-shot", access: req.tools, autonomy: req.autonomy }));
  if (req.resume) {
    argv.push("--resume", req.resume.sessionId);
    if (req.resume.fork) argv.push("--fork-session");
  }
  return { argv, stdin: req.prompt, promptInArgv: false, output: "claude-json" };
}

export function claudeAdapter(command: string[] = [claudeBinary()]): AgentAdapter {
  return {
    name: "claude",
    command,
    install: "npm install -g @anthropic-ai/claude-code (or set BRAID_CLAUDE_BIN)",
    supportsReadOnly: true,
    supportsResume: true,
    statePaths: [".claude", ".claude.json"],
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
      argv.push("--plugin-dir", claudePluginDir(process.execPath, braidBin()));
      argv.push(...claudeToolArgs({ run: "session", readOnly: req.readOnly, autonomy: req.autonomy ?? "ask" }));
      // `--` ends the options: a task starting with '-' stays a prompt, and variadic flags cannot swallow it.
      if (req.prompt) argv.push("--", req.prompt);
      return { argv, env: {}, conversationId, hooks: true };
    },
    oneShot: (req) => claudeOneShot(command, req),
    detect: detectClaude,
    usage: { transcriptFiles, readTranscript },
  };
}
