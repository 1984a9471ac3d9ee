/**
 * git-side enforcement for sessions that must not commit (research: read-only; review: notes only).
 * A worktree-scoped `core.hooksPath` (needs `extensions.worktreeConfig`) points at a pre-commit hook
 * that always fails, so commits are refused in that worktree only; other worktrees are untouched.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Repo } from "../git/repo.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionType } from "../project/state.js";

function hookScript(type: SessionType): string {
  const why =
    type === "research"
      ? "this is a read-only research session"
      : "this is a review session: write review notes, do not commit to the branch under review";
  return `#!/bin/sh\n# written by braid: commits are refused in this worktree\necho "braid: commit refused: ${why}" >&2\nexit 1\n`;
}

/** Make git refuse commits (and merge commits) in `worktree`. */
export async function guardCommits(ctx: ProjectContext, worktree: string, type: SessionType): Promise<void> {
  const dir = join(ctx.project.stateDir, "git-hooks", type);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const hook of ["pre-commit", "pre-merge-commit"]) {
    const p = join(dir, hook);
    writeFileAtomic(p, hookScript(type));
    chmodSync(p, 0o755);
  }
  await new Repo(ctx.project.mainWorktree).setConfig("extensions.worktreeConfig", "true");
  await new Repo(worktree).setConfig("core.hooksPath", dir, { worktree: true });
}

/** Undo guardCommits (when a session's type changes back to implementation). */
export async function unguardCommits(worktree: string): Promise<void> {
  const repo = new Repo(worktree);
  if ((await repo.getConfig("extensions.worktreeConfig")) !== "true") return;
  await repo.unsetWorktreeConfig("core.hooksPath");
}
