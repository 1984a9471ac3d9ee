/** Parsed `git worktree list --porcelain`. */
import { gitOut } from "./git.js";

export interface GitWorktree {
  path: string;
  head: string | null;
  /** Short branch name, or null when detached. */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  lockReason?: string;
  prunable: boolean;
  prunableReason?: string;
  /** First entry: the main worktree. */
  main: boolean;
}

export async function listWorktrees(cwd: string): Promise<GitWorktree[]> {
  const out = await gitOut(["worktree", "list", "--porcelain", "-z"], { cwd });
  const result: GitWorktree[] = [];
  let cur: GitWorktree | null = null;
  for (const line of out.split("\0")) {
    if (line === "") {
      if (cur) result.push(cur);
      cur = null;
      continue;
    }
    const sp = line.indexOf(" ");
    const key = sp === -1 ? line : line.slice(0, sp);
    const val = sp === -1 ? "" : line.slice(sp + 1);
    if (key === "worktree") {
      if (cur) result.push(cur);
      cur = {
        path: val,
        head: null,
        branch: null,
        bare: false,
        detached: false,
        locked: false,
        prunable: false,
        main: result.length === 0,
      };
      continue;
    }
    if (!cur) continue;
    if (key === "HEAD") cur.head = val;
    else if (key === "branch") cur.branch = val.replace(/^refs\/heads\//, "");
    else if (key === "bare") cur.bare = true;
    else if (key === "detached") cur.detached = true;
    else if (key === "locked") {
      cur.locked = true;
      if (val) cur.lockReason = val;
    } else if (key === "prunable") {
      cur.prunable = true;
      if (val) cur.prunableReason = val;
    }
  }
  if (cur) result.push(cur);
  return result;
}
