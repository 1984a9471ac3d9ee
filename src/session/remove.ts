/**
 * `braid rm`: remove a session's worktree, its registry entry and (when braid created it and nothing
 * would be lost) its branch and its swarm sub-branches. Work that is not safely elsewhere blocks removal
 * unless `force`; with `force` it is first saved to `refs/braid/backup/<name>/...` so nothing is ever lost.
 * The worktree directory is renamed into braid's trash and deleted in the background (see trash.ts).
 */
import { existsSync, lstatSync, readlinkSync, rmSync } from "node:fs";
import { ignoreGitError } from "../git/git.js";
import { resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { commitTree, snapshotWorktree } from "../git/snapshot.js";
import type { GitWorktree } from "../git/worktrees.js";
import { BraidError } from "../infra/errors.js";
import { faultPause } from "../infra/faults.js";
import { compactStamp } from "../infra/stamp.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { deleteInBackground, moveToTrash } from "../project/trash.js";
import { sandboxDir, syncSandbox } from "../sandbox/session.js";
import { diskUsage } from "../worktree/du.js";
import { recordRemovedCost } from "./cost.js";
import { quiesceSession } from "./quiesce.js";
import { type TeardownReport, teardownSession } from "./services/teardown.js";

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
  /** The session's swarm sub-branches (`braid-swarm/<name>/*`) and what happened to each. */
  swarmBranches: SwarmBranchResult[];
  /** Services stopped and `teardown` commands run before the worktree went. */
  teardown: TeardownReport;
}

export interface SwarmBranchResult {
  branch: string;
  deleted: boolean;
  /** Where its unmerged commits were saved before deletion (`--force`); null when nothing needed saving. */
  backupRef: string | null;
  /** Why it was kept; null when deleted. */
  keptBecause: string | null;
}

export const BACKUP_PREFIX = "refs/braid/backup";
/** Swarm mode's executor branches live under `braid-swarm/<session>/` (src/swarm/branches.ts). */
const SWARM_PREFIX = "braid-swarm";

/** `refs/braid/backup/<name>/20261125T100203123Z`: sortable, and valid in a ref (no ':'). */
export function backupRefName(name: string, now = new Date()): string {
  return `${BACKUP_PREFIX}/${name}/${compactStamp(now)}`;
}

/** `braid-swarm/auth/r1-a` → `refs/braid/backup/auth/swarm/r1-a/20261125T100203123Z`. */
export function swarmBackupRefName(name: string, branch: string, now = new Date()): string {
  return `${BACKUP_PREFIX}/${name}/swarm/${branch.slice(`${SWARM_PREFIX}/${name}/`.length)}/${compactStamp(now)}`;
}

interface SwarmBranch {
  branch: string;
  tip: string;
  /** Commits on it reachable from none of the commits that stay safe (base, session branch, detached HEAD). */
  unmerged: number;
}

/** The session's swarm sub-branches, each with its count of commits not reachable from `safe`. */
async function swarmBranchesOf(cwd: string, name: string, safe: string[]): Promise<SwarmBranch[]> {
  const repo = new Repo(cwd);
  const refs = await repo.refsUnder(`refs/heads/${SWARM_PREFIX}/${name}/`);
  return Promise.all(
    refs.map(async ({ tip, ref }) => ({
      branch: ref.slice("refs/heads/".length),
      tip,
      unmerged: await repo.countCommits(tip, safe),
    })),
  );
}

/** Delete branches only if they still point where they were checked (one transaction, else one by one). */
async function deleteBranchesAt(cwd: string, branches: SwarmBranch[]): Promise<Set<string>> {
  const repo = new Repo(cwd);
  const at = (b: SwarmBranch) => ({ ref: `refs/heads/${b.branch}`, tip: b.tip });
  if (branches.length === 0) return new Set();
  if (await repo.deleteRefsAt(branches.map(at))) return new Set(branches.map((b) => b.branch));
  const done = new Set<string>();
  for (const b of branches) if (await repo.deleteRefsAt([at(b)])) done.add(b.branch);
  return done;
}

/** A session path replaced by a symlink is not what git recorded: removing through it could hit anything. */
function refuseSymlink(path: string): void {
  let link: string | null = null;
  try {
    if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
  } catch {
    return;
  }
  if (link !== null)
    throw new BraidError(
      `${path} is a symbolic link (to ${link}), not the worktree git recorded: refusing to remove through it`,
      `remove the link yourself (rm ${path}), then run braid rm again`,
    );
}

/** Is `commit` contained in `base`? (No base: not provably.) */
export async function isAncestor(cwd: string, commit: string, base: string | null): Promise<boolean> {
  if (!base) return false;
  return new Repo(cwd).isAncestor(commit, base);
}

/**
 * Delete a ref only if it still points at `expected`, the tip that was checked (compare-and-swap):
 * a commit made meanwhile keeps the ref. Returns whether it was deleted.
 */
export async function deleteRefAt(cwd: string, ref: string, expected: string): Promise<boolean> {
  faultPause("before-ref-delete");
  return new Repo(cwd).deleteRefAt(ref, expected);
}

/** Branch → path of the worktree that has it checked out. */
function checkedOut(wts: GitWorktree[], except?: string): Map<string, string> {
  return new Map(wts.filter((w) => w.branch && w.path !== except).map((w) => [w.branch as string, w.path]));
}

/** Commits on `tip` that are neither in the base nor pushed to the branch's upstream. */
async function unmergedCount(cwd: string, rec: SessionRecord, tip: string, base: string | null): Promise<number> {
  const repo = new Repo(cwd);
  const exclude: string[] = [base ?? rec.baseCommit];
  const upstream = await repo.upstreamOf(rec.branch);
  if (upstream) exclude.push(upstream);
  // Same tree as the base (e.g. the base has since merged exactly this work): nothing to lose.
  if (base) {
    const [a, b] = await Promise.all([repo.treeOf(tip), repo.treeOf(base)]);
    if (a && a === b) return 0;
  }
  return repo.countCommits(tip, exclude);
}

export async function removeSession(
  ctx: ProjectContext,
  name: string,
  opts: RemoveOptions = {},
): Promise<RemoveResult> {
  // The size is measured alongside the checks (it walks every file too); a refusal stops the walk.
  const sizing = new AbortController();
  try {
    return await remove(ctx, name, opts, sizing.signal);
  } finally {
    sizing.abort();
  }
}

async function remove(
  ctx: ProjectContext,
  name: string,
  opts: RemoveOptions,
  signal: AbortSignal,
): Promise<RemoveResult> {
  const { project, store } = ctx;
  const cwd = project.mainWorktree;
  refuseSymlink(store.require(name).path);
  // The agent must be gone before anything is checked: it could commit between the check and the removal.
  await quiesceSession(ctx, name);
  const rec = store.require(name);
  // A sandboxed session's last commits may still be in its private git dir: bring them back before judging.
  const force = opts.force ?? false;
  if (existsSync(rec.path))
    await syncSandbox(ctx, rec).catch((e: unknown) => {
      if (!force)
        throw new BraidError(
          `cannot bring ${name}'s sandboxed commits back: ${String((e as Error).message ?? e).split("\n")[0]}`,
          `look at ${sandboxDir(project.stateDir, name)}/git, or pass --force to remove it anyway`,
        );
    });
  const now = new Date();
  const dirExists = existsSync(rec.path);
  const repo = new Repo(cwd);
  const wts = await repo.worktrees();
  const wt = wts.find((w) => w.path === rec.path);
  if (wt?.main) throw new BraidError(`session "${name}" points at the main worktree`, "fix it with `braid doctor`");
  const sizeBefore = dirExists ? diskUsage(rec.path, signal) : undefined;

  const [tip, base] = await Promise.all([
    resolveCommit(cwd, `refs/heads/${rec.branch}`),
    resolveCommit(cwd, rec.baseRef),
  ]);
  const deleteBranch = !opts.keepBranch && rec.createdBranch !== false && tip !== null;
  const dirty = dirExists && wt ? await new Repo(rec.path).uncommittedCount() : 0;
  const unmerged = deleteBranch && tip ? await unmergedCount(cwd, rec, tip, base) : 0;
  // A worktree whose HEAD moved off the session branch may hold commits reachable from nowhere else.
  // A fork's detached HEAD is a snapshot of its parent's worktree, which still holds that work: nothing strands.
  const forkSnapshot = (rec.ext?.fork as { snapshot?: string } | undefined)?.snapshot;
  const headTip = dirExists && wt?.head && wt.head !== tip && wt.head !== forkSnapshot ? wt.head : null;
  const strandedHead = headTip ? await repo.countUnreachable(headTip) : 0;
  // Swarm sub-branches follow the session branch's rules. Work merged into the session branch (or the base)
  // is safe: the session branch itself is kept, merged, or saved to a backup ref before it goes.
  const safe = [base ?? rec.baseCommit, tip, headTip].filter((c): c is string => Boolean(c));
  const swarm = await swarmBranchesOf(cwd, name, safe);
  const swarmElsewhere = checkedOut(wts, rec.path);
  const swarmUnmerged = opts.keepBranch ? [] : swarm.filter((b) => b.unmerged > 0 && !swarmElsewhere.has(b.branch));

  if (!force) {
    const why: string[] = [];
    if (dirty) why.push(`${dirty} uncommitted change${dirty === 1 ? "" : "s"}`);
    if (unmerged)
      why.push(`${unmerged} commit${unmerged === 1 ? "" : "s"} on ${rec.branch} not merged into ${rec.baseRef}`);
    if (strandedHead) why.push(`${strandedHead} commit(s) on a detached HEAD`);
    if (swarmUnmerged.length) {
      const n = swarmUnmerged.reduce((a, b) => a + b.unmerged, 0);
      const k = swarmUnmerged.length;
      why.push(
        `${n} commit${n === 1 ? "" : "s"} on ${k} swarm branch${k === 1 ? "" : "es"} (${SWARM_PREFIX}/${name}/…) not merged into ${tip ? rec.branch : rec.baseRef}`,
      );
    }
    if (why.length) {
      const branches = swarmUnmerged.length ? "branches" : "branch";
      const keep =
        (unmerged || swarmUnmerged.length) && !dirty && !strandedHead
          ? `pass --keep-branch to keep the ${branches}, or `
          : "";
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

  // Checks passed: the session goes. Its services and outside resources go first (a failure stops here unless force).
  const teardown = await teardownSession(ctx, rec, { force });

  let backupRef: string | undefined;
  if (dirty || unmerged || strandedHead) {
    const extra = [tip, headTip].filter((c): c is string => Boolean(c));
    const commit = dirty
      ? await snapshotWorktree(rec.path, `braid backup of session ${name} before rm --force`, extra)
      : ((strandedHead ? headTip : tip) as string);
    let parents = [commit];
    if (!dirty && strandedHead && unmerged && tip && headTip !== tip) {
      // Both the branch and a detached HEAD hold work: tie them together in one backup commit.
      const tree = await repo.treeOf(commit);
      if (!tree) throw new BraidError(`the backup commit ${commit} has no tree`, "run `git fsck`, then try again");
      parents = [await commitTree(cwd, tree, [commit, tip], `braid backup of ${name}`)];
    }
    backupRef = backupRefName(name, now);
    await repo.setRef(backupRef, parents[0] as string);
  }
  const swarmBackups = new Map<string, string>();
  for (const b of swarmUnmerged) {
    const ref = swarmBackupRefName(name, b.branch, now);
    await repo.setRef(ref, b.tip);
    swarmBackups.set(b.branch, ref);
  }

  // Measured before the directory moves: what the removal gives back.
  const reclaimedBytes = await sizeBefore;
  if (wt) {
    if (dirExists) {
      // Checks and backups are done. Deleting every file takes long on a big worktree, a rename does not:
      // move it into the trash, let git forget it, and delete it in the background.
      if (wt.locked) await repo.unlockWorktree(rec.path).catch(ignoreGitError);
      const trashed = moveToTrash(project.stateDir, name, rec.path, now);
      if (trashed) {
        deleteInBackground(trashed);
        await repo.pruneWorktrees();
      } else if (!(await repo.removeWorktree(rec.path, { evenIfLocked: true }))) {
        // Cannot rename (another filesystem): delete in place. --force only skips git's own re-check.
        rmSync(rec.path, { recursive: true, force: true });
        await repo.pruneWorktrees();
      }
    } else {
      if (wt.locked) await repo.unlockWorktree(rec.path).catch(ignoreGitError);
      await repo.pruneWorktrees();
    }
  } else if (dirExists && !force) {
    // Registered path exists but git does not know it as a worktree: not ours to delete blindly.
    throw new BraidError(
      `${rec.path} exists but is not a git worktree of this repository`,
      "move it away yourself, or pass --force to drop only the registry entry",
    );
  }

  let branchDeleted = false;
  const out = deleteBranch || swarm.length ? checkedOut(await repo.worktrees()) : new Map<string, string>();
  if (deleteBranch && tip && !out.has(rec.branch)) {
    // A tip the base does not contain (same tree, pushed upstream) stays reachable from a backup ref.
    if (!backupRef && !(await isAncestor(cwd, tip, base))) {
      backupRef = backupRefName(name, now);
      await repo.setRef(backupRef, tip);
    }
    branchDeleted = await deleteRefAt(cwd, `refs/heads/${rec.branch}`, tip);
  }
  const toDelete = opts.keepBranch ? [] : swarm.filter((b) => !out.has(b.branch));
  const deleted = await deleteBranchesAt(cwd, toDelete);
  const swarmBranches: SwarmBranchResult[] = swarm.map((b) => {
    const where = out.get(b.branch);
    const keptBecause = deleted.has(b.branch)
      ? null
      : opts.keepBranch
        ? "--keep-branch"
        : where
          ? `checked out at ${where}`
          : "it moved during the removal";
    return {
      branch: b.branch,
      deleted: keptBecause === null,
      backupRef: swarmBackups.get(b.branch) ?? null,
      keptBecause,
    };
  });
  recordRemovedCost(ctx, rec); // `braid cost` keeps counting what the session spent
  await store.update((d) => {
    d.sessions = d.sessions.filter((s) => s.name !== name);
  });
  // Its private git dir (synced above) and overlay upper dirs (writes into ignored dirs, like the worktree's).
  rmSync(sandboxDir(project.stateDir, name), { recursive: true, force: true });
  return {
    removed: true,
    ...(backupRef ? { backupRef } : {}),
    branchDeleted,
    ...(reclaimedBytes !== undefined ? { reclaimedBytes } : {}),
    swarmBranches,
    teardown,
  };
}

/** How to get the saved work back, for the CLI to print. */
export function restoreHint(rec: { name: string; branch: string }, backupRef: string): string {
  return `restore with: git branch ${rec.branch}-restored ${backupRef}  (then \`braid new ${rec.name} --branch ${rec.branch}-restored\`)`;
}
