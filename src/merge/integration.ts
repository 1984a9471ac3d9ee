/**
 * The merge train's scratch space: a detached worktree under `<state>/merge/`, never the user's
 * checkout, kept between trains so the next one only rewrites the files that changed (and finds the verify
 * command's ignored build output still there), plus a small record of the running train (pid, phase) so a train killed with -9 can be
 * recognised and cleaned up or finished by the next run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { Repo } from "../git/repo.js";
import { snapshotWorktree } from "../git/snapshot.js";
import { listWorktrees } from "../git/worktrees.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import { pidAlive } from "../infra/process.js";
import { compactStamp } from "../infra/stamp.js";
import type { ProjectContext } from "../project/context.js";
import { statusPaths } from "../radar/snapshot.js";

export interface TrainRecord {
  pid: number;
  startedAt: string;
  baseRef: string;
  oldBase: string;
  worktree: string;
  /** merging: base untouched; advanced: base moved, checkouts may still need their fast-forward. */
  phase: "merging" | "advanced";
  newBase?: string;
  /** Checkouts of the base that were clean and get fast-forwarded after the ref moves. */
  checkouts?: string[];
}

export function mergeDir(ctx: ProjectContext): string {
  return join(ctx.project.stateDir, "merge");
}

function recordPath(ctx: ProjectContext): string {
  return join(mergeDir(ctx), "train.json");
}

export function readTrainRecord(ctx: ProjectContext): TrainRecord | null {
  try {
    return JSON.parse(readFileSync(recordPath(ctx), "utf8")) as TrainRecord;
  } catch {
    return null;
  }
}

export function writeTrainRecord(ctx: ProjectContext, rec: TrainRecord): void {
  writeFileAtomic(recordPath(ctx), `${JSON.stringify(rec, null, 2)}\n`);
}

export function clearTrainRecord(ctx: ProjectContext): void {
  rmSync(recordPath(ctx), { force: true });
}

/**
 * Bring a checkout of the base up to date after the ref moved: a two-way `read-tree -m -u` is what `git checkout`
 * does — a fast-forward for a clean checkout, keeping uncommitted edits that do not collide in a dirty one.
 */
export async function fastForwardCheckout(path: string, oldBase: string, newBase: string): Promise<boolean> {
  const r = await new Repo(path).tryReadTree(oldBase, newBase).catch(() => null);
  return r?.code === 0;
}

async function removeWorktree(ctx: ProjectContext, path: string): Promise<void> {
  const repo = new Repo(ctx.project.mainWorktree);
  await repo.removeWorktree(path, { evenIfLocked: true }).catch(() => undefined);
  rmSync(path, { recursive: true, force: true });
  await repo.pruneWorktrees().catch(() => undefined);
}

export interface RecoveryNote {
  action: "removed-stale" | "finished-fast-forward" | "removed-kept" | "backed-up-kept";
  path: string;
  detail?: string;
}

/**
 * Called with the train lock held. A record whose process is gone means a train was killed:
 * in phase `merging` the base was never touched, so its worktree is just removed; in phase `advanced`
 * the base already moved (update-ref is atomic), so the pending fast-forwards are finished.
 * Integration worktrees kept for inspection by an earlier failed train are removed too, after a backup
 * ref when someone edited them.
 */
export async function recoverIntegration(ctx: ProjectContext): Promise<RecoveryNote[]> {
  const notes: RecoveryNote[] = [];
  const rec = readTrainRecord(ctx);
  if (rec && rec.pid !== process.pid && !pidAlive(rec.pid)) {
    const main = new Repo(ctx.project.mainWorktree);
    const baseNow = await main.refTip(`refs/heads/${rec.baseRef}`);
    // Killed between writing the record and update-ref: the base did not move, nothing to finish.
    if (rec.phase === "advanced" && rec.newBase && baseNow === rec.newBase) {
      let undo = false;
      const followed: string[] = [];
      for (const c of rec.checkouts ?? []) {
        const ok = await fastForwardCheckout(c, rec.oldBase, rec.newBase);
        if (ok) followed.push(c);
        else undo = true;
        notes.push({ action: "finished-fast-forward", path: c, detail: ok ? "updated" : "could not follow" });
      }
      // A checkout that cannot follow must not be left with an index that disagrees with HEAD: put the base back.
      if (undo) {
        const back = await main.moveRef(`refs/heads/${rec.baseRef}`, rec.oldBase, rec.newBase, {
          reason: "braid merge: undone after a killed train",
        });
        // ...and the checkouts that did follow go back with it.
        if (back) for (const c of followed) await fastForwardCheckout(c, rec.newBase, rec.oldBase);
        notes.push({
          action: "finished-fast-forward",
          path: rec.baseRef,
          detail: back ? "base put back" : "base moved again: left",
        });
      }
    }
    await removeWorktree(ctx, rec.worktree);
    notes.push({ action: "removed-stale", path: rec.worktree });
    clearTrainRecord(ctx);
  }
  const dir = mergeDir(ctx);
  if (!existsSync(dir)) return notes;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith("wt-")) continue;
    const path = join(dir, entry);
    if (rec && path === rec.worktree && pidAlive(rec.pid)) continue;
    // The kept integration worktree is looked at only when a train needs a checkout (createIntegration).
    if (entry === WARM_ENTRY) continue;
    await retire(ctx, path, notes);
  }
  return notes;
}

/**
 * Remove a kept integration worktree; uncommitted content in it (conflicts resolved by hand, a user's notes) goes
 * to a backup ref first. False when that backup failed: then it is left in place.
 */
async function retire(ctx: ProjectContext, path: string, notes: RecoveryNote[]): Promise<boolean> {
  const entry = basename(path);
  const dirty = await statusPaths(path).catch(() => []);
  if (dirty.length) {
    try {
      const snap = await snapshotWorktree(path, `braid backup of kept integration worktree ${entry}`);
      // the kept one always has the same name: its backups get the time, so none replaces another
      const name = entry === WARM_ENTRY ? `${entry.slice(3)}-${compactStamp()}` : entry.slice(3);
      const ref = `refs/braid/backup/integration/${name}`;
      await new Repo(ctx.project.mainWorktree).setRef(ref, snap);
      notes.push({ action: "backed-up-kept", path, detail: ref });
    } catch {
      notes.push({ action: "backed-up-kept", path, detail: "backup failed; left in place" });
      return false;
    }
  }
  await removeWorktree(ctx, path);
  notes.push({ action: "removed-kept", path });
  return true;
}

/** The one integration worktree (made when a step first needs a checkout, then kept warm between trains). */
export function integrationPath(ctx: ProjectContext): string {
  return join(mergeDir(ctx), WARM_ENTRY);
}

const WARM_ENTRY = "wt-integration";

/** git writes these into a worktree's git dir while a merge, rebase, cherry-pick or revert is unfinished. */
const UNFINISHED = ["MERGE_HEAD", "rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD", "REVERT_HEAD"];

/**
 * Can the kept integration worktree be moved to another commit as it is: registered with git, nothing
 * uncommitted or untracked in it (ignored build output is fine: that is what keeps it warm), no unfinished
 * operation.
 */
async function reusable(ctx: ProjectContext, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const known = await listWorktrees(ctx.project.mainWorktree).catch(() => []);
  if (!known.some((w) => w.path === path && !w.prunable)) return false;
  const dirty = await statusPaths(path).catch(() => null);
  if (dirty === null || dirty.length) return false;
  const gitDir = await new Repo(path).gitDir();
  return gitDir !== null && !UNFINISHED.some((f) => existsSync(join(gitDir, f)));
}

/**
 * The integration worktree at `commit`: the kept one moved there by `git checkout` (only the files that
 * differ are written, parallel workers on), else a fresh detached checkout (parallel workers on).
 * One that cannot be reused is retired first (anything uncommitted in it to a backup ref, noted in `notes`).
 * The caller holds the train lock.
 */
export async function createIntegration(
  ctx: ProjectContext,
  commit: string,
  path: string,
  notes: RecoveryNote[],
): Promise<string> {
  mkdirSync(mergeDir(ctx), { recursive: true });
  if (await reusable(ctx, path)) {
    if (await new Repo(path).checkoutDetached(commit, { checkoutWorkers: 0 })) return path;
  }
  // what is left in it could not be backed up: it stays as it is, and this train checks out beside it
  const at = existsSync(path) && !(await retire(ctx, path, notes)) ? `${path}-${process.pid}` : path;
  await new Repo(ctx.project.mainWorktree).addDetachedWorktree(at, commit, { checkoutWorkers: 0 });
  return at;
}
