/**
 * PLACEHOLDER until engineer A's `braid rm` (src/worktree/remove.ts) lands on main: same signature.
 * On merging main, take A's version of this file.
 */
import { existsSync, rmSync } from "node:fs";
import { BraidError } from "../errors.js";
import { git, gitTry } from "../git/git.js";
import type { ProjectContext } from "../project/context.js";
import { statusPaths } from "../radar/snapshot.js";

export interface RemoveOptions {
  force?: boolean;
  keepBranch?: boolean;
}

export interface RemoveResult {
  removed: boolean;
  backupRef?: string;
  branchDeleted: boolean;
  reclaimedBytes?: number;
}

export async function removeSession(
  ctx: ProjectContext,
  name: string,
  opts: RemoveOptions = {},
): Promise<RemoveResult> {
  const cwd = ctx.project.mainWorktree;
  const rec = ctx.store.require(name);
  if (existsSync(rec.path)) {
    const dirty = await statusPaths(rec.path);
    if (dirty.length && !opts.force) throw new BraidError(`session "${name}" has uncommitted changes`, "pass --force");
    const r = await gitTry(["worktree", "remove", "--force", rec.path], { cwd });
    if (r === null) rmSync(rec.path, { recursive: true, force: true });
  }
  await git(["worktree", "prune"], { cwd });
  await ctx.store.update((d) => {
    d.sessions = d.sessions.filter((s) => s.name !== name);
  });
  return { removed: true, branchDeleted: false };
}
