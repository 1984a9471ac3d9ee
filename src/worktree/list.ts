/** `braid ls`: every worktree of the repo (braid's or not) with its git state. */
import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import { ignoreGitError } from "../git/git.js";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import type { ProjectContext } from "../project/context.js";
import { resolveBase } from "./create.js";

export interface WorktreeInfo {
  /** braid session name, or null for worktrees braid did not create. */
  session: string | null;
  order: number | null;
  type: string | null;
  path: string;
  branch: string | null;
  head: string | null;
  main: boolean;
  /** null when the directory is missing. */
  dirty: boolean | null;
  changedFiles: number | null;
  baseRef: string | null;
  ahead: number | null;
  behind: number | null;
  locked: boolean;
  lockReason: string | null;
  prunable: boolean;
  missing: boolean;
  /** A spare worktree of the pool (`pool = N`), not a session: `session` is null. */
  spare: boolean;
}

/** Number of changed entries per `git status --porcelain` without taking the index lock. */
export async function countChanges(path: string): Promise<number | null> {
  return new Repo(path).uncommittedCount().catch((e: unknown) => {
    ignoreGitError(e);
    return null;
  });
}

export async function listAll(ctx: ProjectContext): Promise<WorktreeInfo[]> {
  const { project, store } = ctx;
  const sessions = store.sessions();
  const spares = new Set((store.read().spares ?? []).map((s) => s.path));
  // Independent git questions: ask them at once.
  const [worktrees, defaultBase] = await Promise.all([
    listWorktrees(project.mainWorktree),
    resolveBase(ctx).then(
      (b) => b.ref,
      () => null,
    ),
  ]);
  // braid's own scratch checkouts (the merge train's integration worktree, kept warm between trains) are not listed
  const scratch = join(project.stateDir, "merge") + sep;
  const infos = await Promise.all(
    worktrees
      .filter((w) => !w.path.startsWith(scratch))
      .map(async (w): Promise<WorktreeInfo> => {
        const s = sessions.find((x) => x.path === w.path) ?? null;
        const missing = !existsSync(w.path);
        const changed = missing ? null : await countChanges(w.path);
        const baseRef = s?.baseRef ?? (w.main ? null : defaultBase);
        let ahead: number | null = null;
        let behind: number | null = null;
        if (baseRef && w.head) {
          const counts = await new Repo(project.mainWorktree).aheadBehind(baseRef, w.head);
          if (counts) ({ ahead, behind } = counts);
        }
        return {
          session: s?.name ?? null,
          order: s?.order ?? null,
          type: s?.type ?? null,
          path: w.path,
          branch: w.branch,
          head: w.head,
          main: w.main,
          dirty: changed === null ? null : changed > 0,
          changedFiles: changed,
          baseRef,
          ahead,
          behind,
          locked: w.locked,
          lockReason: w.lockReason ?? null,
          prunable: w.prunable,
          missing,
          spare: spares.has(w.path),
        };
      }),
  );
  // main first, then sessions in cascade order, then worktrees braid did not create
  const rank = (w: WorktreeInfo) =>
    w.main ? -1 : w.spare ? Number.MAX_SAFE_INTEGER : (w.order ?? Number.MAX_SAFE_INTEGER - 1);
  return infos.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
