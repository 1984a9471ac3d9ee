/**
 * `braid rm`: remove a session's worktree, its registry entry and (when braid created it and nothing
 * would be lost) its branch. Work that is not safely elsewhere blocks removal unless `force`; with
 * `force` it is first saved to `refs/braid/backup/<name>/<timestamp>` so nothing is ever lost.
 */
import { existsSync, rmSync } from "node:fs";
import { BraidError } from "../errors.js";
import { git, gitOut, gitTry } from "../git/git.js";
import { resolveCommit } from "../git/refs.js";
import { commitTree, snapshotWorktree } from "../git/snapshot.js";
import { listWorktrees } from "../git/worktrees.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { diskUsage } from "./du.js";

export interface RemoveOptions {
  /** Remove even with uncommitted or unmerged work (after saving it to a backup ref). */
  force?: boolean;
  /** Keep the branch (its commits stay reachable, so they never block removal). */
  keepBranch?: boolean;
}

export interface RemoveResult {
  removed: boolean;
  /** Set when work was saved before removal. */
  backupRef?: string;
  branchDeleted: boolean;
  /** Disk space the worktree directory used (absent when it was already gone). */
  reclaimedBytes?: number;
}

export const BACKUP_PREFIX = "refs/braid/backup";

/** `refs/braid/backup/<name>/20261125T100203123Z`: sortable, and valid in a ref (no ':'). */
export function backupRefName(name: string, now = new Date()): string {
  return `${BACKUP_PREFIX}/${name}/${now.toISOString().replace(/[-:.]/g, "")}`;
}

/** Changed entries (tracked or untracked, not ignored) in a worktree, read without taking the index lock. */
async function uncommittedCount(path: string): Promise<number> {
  const out = await gitOut(["status", "--porcelain=v1", "-z", "--untracked-files=all"], {
    cwd: path,
    noOptionalLocks: true,
  });
  return out.split("\0").filter((e) => e.length > 3 && e[2] === " ").length;
}

/** Commits on `tip` that are neither in the base nor pushed to the branch's upstream. */
async function unmergedCount(cwd: string, rec: SessionRecord, tip: string): Promise<number> {
  const exclude: string[] = [];
  const base = await resolveCommit(cwd, rec.baseRef);
  if (base) exclude.push(base);
  else exclude.push(rec.baseCommit);
  const upstream = await gitTry(["rev-parse", "--verify", "--quiet", `refs/heads/${rec.branch}@{upstream}`], { cwd });
  if (upstream) exclude.push(upstream);
  // Same tree as the base (e.g. the base has since merged exactly this work): nothing to lose.
  if (base) {
    const [a, b] = await Promise.all([
      gitTry(["rev-parse", `${tip}^{tree}`], { cwd }),
      gitTry(["rev-parse", `${base}^{tree}`], { cwd }),
    ]);
    if (a && a === b) return 0;
  }
  const n = await gitOut(["rev-list", "--count", tip, "--not", ...exclude], { cwd });
  return Number(n);
}

export async function removeSession(
  ctx: ProjectContext,
  name: string,
  opts: RemoveOptions = {},
): Promise<RemoveResult> {
  const { project, store } = ctx;
  const cwd = project.mainWorktree;
  const rec = store.require(name);
  const force = opts.force ?? false;
  const dirExists = existsSync(rec.path);
  const wt = (await listWorktrees(cwd)).find((w) => w.path === rec.path);
  if (wt?.main) throw new BraidError(`session "${name}" points at the main worktree`, "fix it with `braid doctor`");

  const tip = await resolveCommit(cwd, `refs/heads/${rec.branch}`);
  const deleteBranch = !opts.keepBranch && rec.createdBranch !== false && tip !== null;
  const dirty = dirExists && wt ? await uncommittedCount(rec.path) : 0;
  const unmerged = deleteBranch && tip ? await unmergedCount(cwd, rec, tip) : 0;
  // A worktree whose HEAD moved off the session branch may hold commits reachable from nowhere else.
  const headTip = dirExists && wt?.head && wt.head !== tip ? wt.head : null;
  const strandedHead = headTip
    ? Number(await gitOut(["rev-list", "--count", headTip, "--not", "--branches", "--tags", "--remotes"], { cwd }))
    : 0;

  if (!force) {
    const why: string[] = [];
    if (dirty) why.push(`${dirty} uncommitted change${dirty === 1 ? "" : "s"}`);
    if (unmerged)
      why.push(`${unmerged} commit${unmerged === 1 ? "" : "s"} on ${rec.branch} not merged into ${rec.baseRef}`);
    if (strandedHead) why.push(`${strandedHead} commit(s) on a detached HEAD`);
    if (why.length) {
      const keep = unmerged && !dirty && !strandedHead ? "pass --keep-branch to keep the branch, or " : "";
      throw new BraidError(
        `session "${name}" has ${why.join(" and ")}`,
        `commit/merge it first, ${keep}pass --force to save everything to ${BACKUP_PREFIX}/${name}/<time> and remove`,
      );
    }
    if (wt?.locked) {
      throw new BraidError(
        `worktree ${rec.path} is locked${wt.lockReason ? ` (${wt.lockReason})` : ""}`,
        "unlock it with `git worktree unlock` or pass --force",
      );
    }
  }

  let backupRef: string | undefined;
  if (dirty || unmerged || strandedHead) {
    const extra = [tip, headTip].filter((c): c is string => Boolean(c));
    const commit = dirty
      ? await snapshotWorktree(rec.path, `braid backup of session ${name} before rm --force`, extra)
      : ((strandedHead ? headTip : tip) as string);
    let parents = [commit];
    if (!dirty && strandedHead && unmerged && tip && headTip !== tip) {
      // Both the branch and a detached HEAD hold work: tie them together in one backup commit.
      const tree = await gitOut(["rev-parse", `${commit}^{tree}`], { cwd });
      parents = [await commitTree(cwd, tree, [commit, tip], `braid backup of ${name}`)];
    }
    backupRef = backupRefName(name);
    await git(["update-ref", backupRef, parents[0] as string], { cwd });
  }

  const reclaimedBytes = dirExists ? await diskUsage(rec.path) : undefined;
  if (wt) {
    // Checks and backup are done: --force (twice for a locked worktree) only skips git's own re-check.
    const f = wt.locked ? ["--force", "--force"] : ["--force"];
    if (dirExists) {
      const r = await gitTry(["worktree", "remove", ...f, rec.path], { cwd });
      if (r === null) {
        rmSync(rec.path, { recursive: true, force: true });
        await git(["worktree", "prune"], { cwd });
      }
    } else {
      if (wt.locked) await gitTry(["worktree", "unlock", rec.path], { cwd });
      await git(["worktree", "prune"], { cwd });
    }
  } else if (dirExists && !force) {
    // Registered path exists but git does not know it as a worktree: not ours to delete blindly.
    throw new BraidError(
      `${rec.path} exists but is not a git worktree of this repository`,
      "move it away yourself, or pass --force to drop only the registry entry",
    );
  }

  let branchDeleted = false;
  if (deleteBranch) {
    const stillOut = (await listWorktrees(cwd)).some((w) => w.branch === rec.branch);
    if (!stillOut) branchDeleted = (await gitTry(["branch", "-D", "--", rec.branch], { cwd })) !== null;
  }
  await store.update((d) => {
    d.sessions = d.sessions.filter((s) => s.name !== name);
  });
  return {
    removed: true,
    ...(backupRef ? { backupRef } : {}),
    branchDeleted,
    ...(reclaimedBytes !== undefined ? { reclaimedBytes } : {}),
  };
}

/** How to get the saved work back, for the CLI to print. */
export function restoreHint(rec: { name: string; branch: string }, backupRef: string): string {
  return `restore with: git branch ${rec.branch}-restored ${backupRef}  (then \`braid new ${rec.name} --branch ${rec.branch}-restored\`)`;
}
