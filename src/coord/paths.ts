/**
 * Where a project's shared memory and notes live: the guide's workflow folder, keyed by the project
 * slug (git common dir identity), so every worktree of a repo resolves the same files.
 */
import { dirname, join } from "node:path";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { workflowsDir } from "../project/paths.js";

export function memoryPath(ctx: ProjectContext): string {
  return join(workflowsDir(), "memory", `${ctx.project.slug}.md`);
}

export function notesPath(ctx: ProjectContext): string {
  return notesFileOf(ctx.project.slug);
}

/** The notes file of the project `slug` (a hook knows the slug from its environment, without a context). */
export function notesFileOf(slug: string): string {
  return join(workflowsDir(), "notes", `${slug}.md`);
}

/**
 * A session's read cursor lives with braid's per-repo state, in the session's own run dir: the one place
 * its hooks may write even inside the sandbox, and no lock shared with other sessions.
 */
export function cursorPath(ctx: ProjectContext, session: string): string {
  return cursorFileOf(ctx.project.stateDir, session);
}

export function cursorFileOf(stateDir: string, session: string): string {
  return join(stateDir, "run", session, "notes-cursor.json");
}

/**
 * Rewritten whenever the cursor has seen the whole notes file: while it is newer than the notes file, nothing is
 * unread, which the prompt hook's shell tests without starting braid (agents/claude.ts).
 */
export function notesSeenFileOf(stateDir: string, session: string): string {
  return join(stateDir, "run", session, "notes-seen");
}

/** braid 0.1 kept every session's cursor in one file; still read when a session has none of its own. */
export function legacyCursorsPath(ctx: ProjectContext): string {
  return join(ctx.project.stateDir, "notes-cursors.json");
}

/**
 * Lock timings for memory and cursors. A killed holder's lock is taken over at once (fsutil); waiters
 * back off to at most 40 ms (tighter polling by dozens of processes burns the CPU the holder needs).
 */
export const COORD_LOCK = { timeoutMs: 90_000, maxRetryMs: 40 } as const;

/** A one-line error for a memory or notes file braid cannot read or write (usually the workflow folder's permissions). */
export function coordFileError(
  op: "read" | "write",
  what: "memory" | "notes",
  file: string,
  err: NodeJS.ErrnoException,
): BraidError {
  const denied = err.code === "EACCES" || err.code === "EPERM" || err.code === "EROFS";
  return new BraidError(
    `cannot ${op} ${what} file ${file}: ${denied ? "permission denied" : err.message}`,
    err.code === "ENOSPC"
      ? "free some disk space and retry"
      : `check the permissions of ${dirname(file)}, or point BRAID_WORKFLOWS_DIR at a writable folder`,
  );
}
