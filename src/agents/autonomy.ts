/**
 * How much an agent may do without asking (config `autonomy`, `--autonomy`):
 *   ask   — the agent's own default (Claude asks before every edit; in `-p` mode it cannot ask, so it is denied),
 *   edits — edit files in its worktree without asking (Claude: `--permission-mode acceptEdits`), the default,
 *   full  — no permission prompts at all (Claude: `bypassPermissions`): only inside the sandbox.
 * Research sessions are read-only whatever the level.
 */
import { BraidError } from "../infra/errors.js";
import type { SessionRecord } from "../project/state.js";

export const AUTONOMY_LEVELS = ["ask", "edits", "full"] as const;
export type Autonomy = (typeof AUTONOMY_LEVELS)[number];
const DEFAULT_AUTONOMY: Autonomy = "edits";

declare module "../project/state.js" {
  interface SessionExt {
    /** The level the session was started with (`start --autonomy`): restarts keep it. */
    autonomy?: Autonomy;
  }
}

function isAutonomy(v: unknown): v is Autonomy {
  return typeof v === "string" && (AUTONOMY_LEVELS as readonly string[]).includes(v);
}

/** `--autonomy VALUE` → the level, or a one-line error naming the choices. */
export function parseAutonomy(v: string): Autonomy {
  if (isAutonomy(v)) return v;
  throw new BraidError(`unknown autonomy "${v}"`, `use one of: ${AUTONOMY_LEVELS.join(", ")}`, 2);
}

/**
 * Refuse `full` outside the sandbox, before anything is created or started: with no permission prompts, only
 * the operating system (see sandbox/) keeps the agent inside its worktree.
 */
export function requireAutonomyAllowed(level: Autonomy, sandboxed: boolean): void {
  if (level === "full" && !sandboxed) {
    throw new BraidError(
      'autonomy "full" (no permission prompts) runs only inside braid\'s sandbox, and this session has none',
      'start it with --sandbox (or set sandbox = "auto"), or use --autonomy edits (the default)',
    );
  }
}

/**
 * The session's level: what it was started with (`ext.autonomy`); else, for a sandboxed headless session
 * (nobody there to answer a prompt, and the OS keeps it in its worktree), full; else the config's.
 */
export function sessionAutonomy(
  rec: Pick<SessionRecord, "ext">,
  configured: Autonomy | undefined,
  where: { sandboxed: boolean; headless: boolean } = { sandboxed: false, headless: false },
): Autonomy {
  const own = rec.ext?.autonomy;
  if (isAutonomy(own)) return own;
  if (where.sandboxed && where.headless) return "full";
  return configured ?? DEFAULT_AUTONOMY;
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
