/**
 * Snapshot a worktree's full state (tracked changes + untracked files, not ignored ones) as a commit,
 * without touching the worktree's real index: the agent working there may be mid-`git add`.
 * Copy the index to a temp file, `git add -A` into that copy, write-tree, commit-tree on top of HEAD.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { GitError, gitOut } from "./git.js";

/** Identity used only when the user has none configured, so a backup never fails for lack of a name. */
const FALLBACK_IDENTITY = {
  GIT_AUTHOR_NAME: "braid",
  GIT_AUTHOR_EMAIL: "braid@localhost",
  GIT_COMMITTER_NAME: "braid",
  GIT_COMMITTER_EMAIL: "braid@localhost",
};

/**
 * Commit the worktree at `path` as it is now. Parents: HEAD (if any) plus `extraParents`.
 * Returns the new commit id; no ref or index is changed.
 */
export async function snapshotWorktree(path: string, message: string, extraParents: string[] = []): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "braid-snap-"));
  const tmpIndex = join(tmp, "index");
  try {
    const indexRel = await gitOut(["rev-parse", "--git-path", "index"], { cwd: path });
    const index = isAbsolute(indexRel) ? indexRel : resolve(path, indexRel);
    if (existsSync(index)) copyFileSync(index, tmpIndex);
    const env = { GIT_INDEX_FILE: tmpIndex };
    await gitOut(["add", "-A", "--", "."], { cwd: path, env });
    const tree = await gitOut(["write-tree"], { cwd: path, env });
    const head = await gitOut(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: path }).catch(() => null);
    const parents = [...new Set([head, ...extraParents].filter((p): p is string => Boolean(p)))];
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", message];
    try {
      return await gitOut(args, { cwd: path });
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      return await gitOut(args, { cwd: path, env: FALLBACK_IDENTITY });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
