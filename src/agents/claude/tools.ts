/**
 * Claude Code's tools, per use: which it is given, which it is denied, and which braid's hooks inspect. One
 * list per meaning, named for it (the lists differ on purpose: a read-only one-shot run is also denied Bash,
 * an interactive research session keeps it for reading and is held by plan mode and the commit guard).
 * No imports beyond autonomy's flags: the hook fast path reads FILE_EDIT_TOOLS.
 */
import { type Autonomy, claudePermissionArgs, claudePermissionMode } from "../autonomy.js";

/** Tools that edit files: denied to research sessions; their PreToolUse goes to braid (read-only deny, ownership guard). */
export const FILE_EDIT_TOOLS = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

/**
 * What braid answers a research session's file edit (denied), as braid's hook prints it for Claude Code. The shell
 * of the edit hook (claude.ts) prints it too, for a session name that needs no escaping in JSON (braid's never do).
 */
export function researchEditDenial(session: string): Record<string, unknown> {
  return {
    hookSpecificOutput: {
      hookEventName: "PreToolUse",
      permissionDecision: "deny",
      permissionDecisionReason: `braid: "${session}" is a read-only research session: do not modify files. Report your findings in your reply instead.`,
    },
  };
}

/** The tool whose PreToolUse says the agent waits for an answer (braid's other inspected tools: FILE_EDIT_TOOLS). */
export const QUESTION_TOOL = "AskUserQuestion";

/** What a read-only one-shot run is given: tools that only read. */
export const ONE_SHOT_READ_TOOLS = ["Read", "Grep", "Glob", "LS"];

/** What a one-shot run with write access is given: reading, editing and the shell. */
export const ONE_SHOT_WRITE_TOOLS = [...ONE_SHOT_READ_TOOLS, "Write", "Edit", "MultiEdit", "Bash"];

/** Never given to a read-only one-shot run, even when the user's settings allow them: file edits and the shell. */
export const ONE_SHOT_READ_ONLY_DENIED = ["Write", "Edit", "MultiEdit", "NotebookEdit", "Bash"];

/** How a Claude run may use tools: an interactive session (read-only = research) or a one-shot run. */
export type ClaudeToolUse =
  | { run: "session"; readOnly: boolean; autonomy: Autonomy }
  | { run: "one-shot"; access: "read-only" | "write"; autonomy: Autonomy };

/** The flags that give (and deny) a Claude run its tools. Variadic: callers put the prompt after `--`. */
export function claudeToolArgs(use: ClaudeToolUse): string[] {
  if (use.run === "session")
    return use.readOnly
      ? ["--permission-mode", "plan", "--disallowedTools", FILE_EDIT_TOOLS.join(",")]
      : claudePermissionArgs(use.autonomy);
  if (use.access === "read-only")
    return ["--allowedTools", ONE_SHOT_READ_TOOLS.join(","), "--disallowedTools", ONE_SHOT_READ_ONLY_DENIED.join(",")];
  return ["--allowedTools", ONE_SHOT_WRITE_TOOLS.join(","), ...claudePermissionMode(use.autonomy)];
}
