/**
 * git-side enforcement for sessions that must not commit (research: read-only; review: notes only).
 * A worktree-scoped `core.hooksPath` (needs `extensions.worktreeConfig`) points at a pre-commit hook
 * that always fails, so commits are refused in that worktree only; other worktrees are untouched.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { git, gitTry } from "../git/git.js";
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
  await git(["config", "extensions.worktreeConfig", "true"], { cwd: ctx.project.mainWorktree });
  await git(["config", "--worktree", "core.hooksPath", dir], { cwd: worktree });
}

/** Undo guardCommits (when a session's type changes back to implementation). */
export async function unguardCommits(worktree: string): Promise<void> {
  const enabled = await gitTry(["config", "--get", "extensions.worktreeConfig"], { cwd: worktree });
  if (enabled !== "true") return;
  await git(["config", "--worktree", "--unset", "core.hooksPath"], { cwd: worktree, okCodes: [0, 5] });
}
