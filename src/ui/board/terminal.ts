/**
 * Jobs that need the real terminal while the board is unmounted: attaching to a session and paging a diff.
 * Each returns a message for the board to show when it comes back (null = nothing to say).
 */
import { spawnSync } from "node:child_process";
import { Repo } from "../../git/repo.js";
import { treeViaIndexCopy, worktreeHead } from "../../git/snapshot.js";
import type { ProjectContext } from "../../project/context.js";

/** Alternate screen on/off: the board leaves the user's scrollback as it was. */
export const ENTER_SCREEN = "\x1b[?1049h\x1b[H\x1b[?25l";
export const LEAVE_SCREEN = "\x1b[?25h\x1b[?1049l";

/**
 * `git diff` of the session's worktree against its fork point, paged: committed, uncommitted and untracked new
 * files alike (the worktree as a tree staged through a copy of its index; the agent's own index is not touched).
 */
export async function pageDiff(ctx: ProjectContext, session: string): Promise<string | null> {
  const s = ctx.store.require(session);
  const repo = new Repo(s.path);
  const base = (await repo.mergeBase(s.baseRef, "HEAD")) ?? s.baseRef;
  const tree = await treeViaIndexCopy(s.path, (await worktreeHead(s.path)).indexPath);
  const diff = await repo.colorDiff(base, tree);
  if (!diff.trim()) return `${session}: no changes against ${s.baseRef}`;
  // $PAGER is the user's own setting; split on spaces (no shell) so "less -R" works
  const [cmd = "less", ...args] = (process.env.BRAID_PAGER || process.env.PAGER || "less -R").split(/\s+/);
  const r = spawnSync(cmd, args, { input: `${diff}\n`, stdio: ["pipe", "inherit", "inherit"] });
  if (r.error) return `pager "${cmd}" failed: ${r.error.message} — set PAGER`;
  return null;
}
