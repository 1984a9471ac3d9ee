/**
 * Checkouts of the base branch (usually the user's main worktree) when the train moves the base. Moving the
 * ref alone would leave that checkout's index at the old commit: `git status` would show the merged work as
 * undone and `git commit -am` would revert it. So each one is brought along the way `git checkout` would:
 * a two-way merge (`git read-tree -m -u OLD NEW`) that keeps the user's uncommitted edits. When git would
 * refuse (an edit, staged change or untracked file in the way of the merged work), the base is not moved.
 */
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { statusPaths } from "../radar/snapshot.js";

export interface BaseCheckout {
  path: string;
  /** Uncommitted paths in it (null when its status cannot be read). */
  dirty: string[] | null;
}

export interface CheckoutBlock {
  path: string;
  /** The user's uncommitted paths the merged work also changes (may be empty when git refuses for another reason). */
  files: string[];
  /** git's own words. */
  error: string;
}

/** Worktrees that have `baseRef` checked out, other than `except` (the integration worktree). */
export async function baseCheckouts(cwd: string, baseRef: string, except: string): Promise<BaseCheckout[]> {
  const holders = (await listWorktrees(cwd)).filter((w) => w.branch === baseRef && w.path !== except);
  const out: BaseCheckout[] = [];
  for (const h of holders) out.push({ path: h.path, dirty: await statusPaths(h.path).catch(() => null) });
  return out;
}

/** Would `git read-tree -m -u old new` succeed in this checkout? (`-n`: checks everything, writes nothing.) */
export async function checkCatchUp(c: BaseCheckout, oldBase: string, newBase: string): Promise<CheckoutBlock | null> {
  if (c.dirty === null) return { path: c.path, files: [], error: "cannot read its status" };
  if (c.dirty.length === 0) return null;
  const repo = new Repo(c.path);
  const r = await repo.tryReadTree(oldBase, newBase, { dryRun: true });
  if (r.code === 0) return null;
  const changed = new Set(await repo.changedFilesNoRenames(oldBase, newBase));
  const error = r.stderr.split("\n").find((l) => l.startsWith("error:")) ?? r.stderr.trim().split("\n")[0] ?? "";
  return { path: c.path, files: c.dirty.filter((f) => changed.has(f)), error: error.replace(/^error:\s*/, "") };
}
