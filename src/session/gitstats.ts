/**
 * Cheap git figures for the status view: ahead/behind the base, changed files and +/- lines against
 * the merge base (committed and uncommitted work, untracked files counted as changed). Never takes
 * optional locks, so polling cannot collide with the agent's own git (index.lock).
 */
import { existsSync } from "node:fs";
import { gitTry } from "../git/git.js";
import { statusPaths } from "../radar/snapshot.js";

export interface GitFigures {
  ahead: number | null;
  behind: number | null;
  changedFiles: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  /** Paths `git status` lists (modified, staged, untracked): work not in a commit yet. */
  uncommittedFiles: number | null;
}

const NONE: GitFigures = {
  ahead: null,
  behind: null,
  changedFiles: null,
  linesAdded: null,
  linesRemoved: null,
  uncommittedFiles: null,
};

export async function gitFigures(worktree: string, base: string): Promise<GitFigures> {
  if (!existsSync(worktree)) return NONE;
  const opts = { cwd: worktree, noOptionalLocks: true };
  const [counts, numstat, untracked, status] = await Promise.all([
    gitTry(["rev-list", "--left-right", "--count", `${base}...HEAD`], opts),
    // --merge-base: working tree against merge-base(base, HEAD), i.e. everything this session changed.
    gitTry(["diff", "--numstat", "-z", "--no-renames", "--merge-base", base], opts),
    gitTry(["ls-files", "--others", "--exclude-standard", "-z"], opts),
    statusPaths(worktree).catch(() => null),
  ]);
  const out = { ...NONE };
  if (status !== null) out.uncommittedFiles = status.length;
  if (counts) {
    const [behind, ahead] = counts.split(/\s+/).map(Number);
    out.ahead = ahead ?? null;
    out.behind = behind ?? null;
  }
  if (numstat !== null) {
    let files = 0;
    let added = 0;
    let removed = 0;
    for (const entry of numstat.split("\0")) {
      const m = /^(\d+|-)\t(\d+|-)\t/.exec(entry);
      if (!m) continue;
      files++;
      if (m[1] !== "-") added += Number(m[1]);
      if (m[2] !== "-") removed += Number(m[2]);
    }
    const extra = untracked ? untracked.split("\0").filter(Boolean).length : 0;
    out.changedFiles = files + extra;
    out.linesAdded = added;
    out.linesRemoved = removed;
  }
  return out;
}
