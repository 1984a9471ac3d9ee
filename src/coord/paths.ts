/**
 * Where a project's shared memory and notes live: the guide's workflow folder, keyed by the project
 * slug (git common dir identity), so every worktree of a repo resolves the same files.
 */
import { join } from "node:path";
import type { ProjectContext } from "../project/context.js";
import { workflowsDir } from "../project/paths.js";

export function memoryPath(ctx: ProjectContext): string {
  return join(workflowsDir(), "memory", `${ctx.project.slug}.md`);
}

export function notesPath(ctx: ProjectContext): string {
  return join(workflowsDir(), "notes", `${ctx.project.slug}.md`);
}

/** Per-session read cursors live with braid's per-repo state, not in the shared workflow folder. */
export function cursorsPath(ctx: ProjectContext): string {
  return join(ctx.project.stateDir, "notes-cursors.json");
}

/** Lock timings for the shared files: short holds, so a dead holder is taken over after a few seconds. */
export const COORD_LOCK = { staleMs: 5000, timeoutMs: 60_000 } as const;
