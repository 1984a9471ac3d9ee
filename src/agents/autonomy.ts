/**
 * How much an agent may do without asking (config `autonomy`, `--autonomy`):
 *   ask   — the agent's own default (Claude asks before every edit; in `-p` mode it cannot ask, so it is denied),
 *   edits — edit files in its worktree without asking (Claude: `--permission-mode acceptEdits`), the default,
 *   full  — no permission prompts at all (Claude: `bypassPermissions`): only inside the sandbox.
 * Research sessions are read-only whatever the level.
 */
import { BraidError } from "../errors.js";
import type { SessionRecord } from "../project/state.js";

export const AUTONOMY_LEVELS = ["ask", "edits", "full"] as const;
export type Autonomy = (typeof AUTONOMY_LEVELS)[number];
const DEFAULT_AUTONOMY: Autonomy = "edits";

function isAutonomy(v: unknown): v is Autonomy {
  return typeof v === "string" && (AUTONOMY_LEVELS as readonly string[]).includes(v);
}

/** `--autonomy VALUE` → the level, or a one-line error naming the choices. */
export function parseAutonomy(v: string): Autonomy {
  if (isAutonomy(v)) return v;
  throw new BraidError(`unknown autonomy "${v}"`, `use one of: ${AUTONOMY_LEVELS.join(", ")}`, 2);
}

/**
 * Does this session run inside braid's sandbox? The one predicate `full` autonomy depends on: the sandbox
 * work flips it (sandbox = "on"). There is no sandbox yet, so never.
 */
function runsInSandbox(_rec: Pick<SessionRecord, "name" | "ext"> | null): boolean {
  return false;
}

/** Refuse `full` outside the sandbox, before anything is created or started. */
export function requireAutonomyAllowed(level: Autonomy, rec: Pick<SessionRecord, "name" | "ext"> | null): void {
  if (level === "full" && !runsInSandbox(rec)) {
    throw new BraidError(
      'autonomy "full" (no permission prompts) runs only inside braid\'s sandbox, and this session has none',
      'use --autonomy edits (the default); `sandbox = "on"` will allow full once braid has a sandbox',
    );
  }
}

/** The session's level: what it was started with (`ext.autonomy`), else the config's. */
export function sessionAutonomy(rec: Pick<SessionRecord, "ext">, configured: Autonomy | undefined): Autonomy {
  const own = rec.ext?.autonomy;
  return isAutonomy(own) ? own : (configured ?? DEFAULT_AUTONOMY);
}

/**
 * Committing is part of the job (the session context says to commit when done), and acceptEdits alone still
 * asks for (in `-p` mode: denies) `git commit`: allow the git commands that record work, nothing else.
 */
const COMMIT_TOOLS = ["Bash(git add:*)", "Bash(git commit:*)", "Bash(git status:*)", "Bash(git diff:*)"];

/** Claude Code's `--permission-mode` for a level (none for ask: Claude's own default). */
export function claudePermissionMode(level: Autonomy): string[] {
  if (level === "edits") return ["--permission-mode", "acceptEdits"];
  if (level === "full") return ["--permission-mode", "bypassPermissions"];
  return [];
}

/** Claude Code's flags for a session at a level (read-only sessions get plan mode instead, see claude.ts). */
export function claudePermissionArgs(level: Autonomy): string[] {
  const mode = claudePermissionMode(level);
  return level === "edits" ? [...mode, "--allowedTools", ...COMMIT_TOOLS] : mode;
}
