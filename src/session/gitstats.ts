/**
 * Cheap git figures for the status view: ahead/behind the base, changed files and +/- lines against
 * the merge base (committed and uncommitted work, untracked files counted as changed files and added lines). Never takes
 * optional locks, so polling cannot collide with the agent's own git (index.lock).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { Repo } from "../git/repo.js";
import type { RadarSession } from "../radar/radar.js";
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

/**
 * The figures of a session the radar just looked at: its snapshot already was the one pass over the worktree's
 * files, and its tree diffs give the same counts `gitFigures` gets from four more passes.
 */
export function figuresFromRadar(r: RadarSession): GitFigures {
  return {
    ahead: r.ahead,
    behind: r.behind,
    changedFiles: r.changedFiles.length,
    linesAdded: r.linesAdded,
    linesRemoved: r.linesRemoved,
    uncommittedFiles: r.uncommittedFiles,
  };
}

/** The figures on their own (sessions the radar could not look at): status, diff, untracked files. */
export async function gitFigures(worktree: string, base: string): Promise<GitFigures> {
  if (!existsSync(worktree)) return NONE;
  const [[counts, numstat, untracked], status] = await Promise.all([
    new Repo(worktree).figures(base),
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
    const fresh = untracked ? untracked.split("\0").filter(Boolean) : [];
    for (const f of fresh) added += newFileLines(join(worktree, f));
    out.changedFiles = files + fresh.length;
    out.linesAdded = added;
    out.linesRemoved = removed;
  }
  return out;
}

/** Files larger than this count as one changed file without lines (reading them on every poll costs too much). */
const MAX_COUNTED_BYTES = 4 * 1024 * 1024;

/**
 * Lines an untracked file would add, counted as `git diff --numstat` counts a new file: newlines, plus one for
 * a last line without one; 0 for binary files (a NUL in the first 8000 bytes, git's own test) and unreadable ones.
 */
function newFileLines(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return 0;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0 || st.size > MAX_COUNTED_BYTES) return 0;
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    const data = buf.subarray(0, n);
    if (data.subarray(0, 8000).includes(0)) return 0;
    let lines = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
    return data[n - 1] === 10 ? lines : lines + 1;
  } finally {
    closeSync(fd);
  }
}
