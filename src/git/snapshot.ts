/**
 * Snapshots of a worktree as it is on disk (committed + staged + unstaged + untracked, minus ignored files),
 * made without touching the worktree's real index or files: the agent working there may be mid-`git add`
 * and must never see an index.lock or a changed index because braid looked.
 *
 * The core, shared by `braid rm --force` / `braid fork` (snapshotWorktree below) and the conflict radar
 * (radar/snapshot.ts, which keeps its index copies between runs and caches the results):
 * an index file of braid's own seeded from the real one (GIT_INDEX_FILE), `git add -A` into it, write-tree,
 * then commit-tree on top of HEAD.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { GitError, git, gitOut } from "./git.js";

/** braid's own identity: used when the user has none configured (so a backup never fails for lack of a name), and always by the radar. */
export const SNAPSHOT_IDENTITY = {
  GIT_AUTHOR_NAME: "braid",
  GIT_AUTHOR_EMAIL: "braid@localhost",
  GIT_COMMITTER_NAME: "braid",
  GIT_COMMITTER_EMAIL: "braid@localhost",
};

export interface WorktreeHead {
  /** HEAD commit (null on an unborn branch). */
  head: string | null;
  /** HEAD's tree (null on an unborn branch). */
  headTree: string | null;
  /** The worktree's real index file. */
  indexPath: string;
}

/** HEAD, its tree and the index file of a worktree, in one git call. Throws GitError if it is not a usable checkout. */
export async function worktreeHead(worktree: string): Promise<WorktreeHead> {
  const info = await git(["rev-parse", "--git-path", "index", "HEAD", "HEAD^{tree}"], {
    cwd: worktree,
    okCodes: [0, 128],
  });
  const [indexRaw = "", headLine = "", treeLine = ""] = info.stdout.split("\n");
  const hex = /^[0-9a-f]{40,64}$/;
  const head = info.code === 0 && hex.test(headLine) ? headLine : null;
  const headTree = head && hex.test(treeLine) ? treeLine : null;
  if (!indexRaw || indexRaw.startsWith("fatal")) {
    await gitOut(["rev-parse", "--git-dir"], { cwd: worktree }); // throws the real reason
  }
  return { head, headTree, indexPath: isAbsolute(indexRaw) ? indexRaw : join(worktree, indexRaw) };
}

/** Tree of the worktree's content, staged through `indexFile` (braid's own; the real index is never used). */
export async function treeViaIndex(worktree: string, indexFile: string): Promise<string> {
  await stageAll(worktree, indexFile);
  return writeTree(worktree, indexFile);
}

/** `git add -A` of the whole worktree into `indexFile`. */
export async function stageAll(worktree: string, indexFile: string): Promise<void> {
  await gitOut(["add", "-A", "--", "."], { cwd: worktree, env: { GIT_INDEX_FILE: indexFile } });
}

/** The tree of `indexFile`'s entries (`git write-tree`). */
export function writeTree(worktree: string, indexFile: string): Promise<string> {
  return gitOut(["write-tree"], { cwd: worktree, env: { GIT_INDEX_FILE: indexFile } });
}

/**
 * Does the worktree differ from `indexFile` (braid's own index, after an earlier `add -A` into it)? One
 * `git status` against that index: its second column and `??` lines are exactly what `add -A` would change.
 * Locks are allowed (the index is braid's, never the agent's), so git keeps its refreshed stat data and its
 * untracked cache in it: a later call lstat()s the tracked files and only re-reads directories whose mtime
 * changed. (The cache is used only when its flags match `status.showUntrackedFiles`, hence `all` there too.)
 * Submodules count by their checked-out commit only, as `add -A` records them.
 */
export async function differsFromIndex(worktree: string, indexFile: string): Promise<boolean> {
  const out = await gitOut(
    [
      "-c",
      "core.untrackedCache=true",
      "-c",
      "status.showUntrackedFiles=all",
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=all",
      "--no-renames",
      "--ignore-submodules=dirty",
    ],
    { cwd: worktree, env: { GIT_INDEX_FILE: indexFile } },
  );
  for (const e of out.split("\0")) if (e.length >= 4 && (e[1] !== " " || e.startsWith("??"))) return true;
  return false;
}

/**
 * Copy a worktree's index for braid's own use, keeping its timestamps. git trusts an entry's cached stat
 * data only when the file is older than the index file itself ("racy git"); a copy with a fresh mtime
 * would make a same-size rewrite within the second of the checkout look unchanged (seen: the radar
 * missed an agent's edit of a test file).
 */
export function copyIndex(realIndex: string, dest: string): void {
  copyFileSync(realIndex, dest);
  const st = statSync(realIndex);
  utimesSync(dest, st.atime, st.mtime);
}

/** treeViaIndex through a one-off copy of the real index in a fresh temp dir under `dir`, removed afterwards. */
export async function treeViaIndexCopy(worktree: string, realIndex: string, dir = tmpdir()): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, "braid-snap-"));
  try {
    const index = join(tmp, "index");
    if (existsSync(realIndex)) copyIndex(realIndex, index);
    return await treeViaIndex(worktree, index);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Commit `tree` with `parents` (nulls and repeats dropped) and return its id; no ref is changed.
 * With `env` (identity, dates) that is used as is; without, the user's identity, or braid's when git has none.
 */
export async function commitTree(
  worktree: string,
  tree: string,
  parents: Array<string | null>,
  message: string,
  env?: Record<string, string>,
): Promise<string> {
  const ps = [...new Set(parents.filter((p): p is string => Boolean(p)))];
  const args = ["commit-tree", tree, ...ps.flatMap((p) => ["-p", p]), "-m", message];
  try {
    return await gitOut(args, { cwd: worktree, env });
  } catch (e) {
    if (env || !(e instanceof GitError)) throw e;
    return await gitOut(args, { cwd: worktree, env: SNAPSHOT_IDENTITY });
  }
}

/**
 * Commit the worktree at `path` as it is now. Parents: HEAD (if any) plus `extraParents`.
 * Returns the new commit id; no ref or index is changed.
 */
export async function snapshotWorktree(path: string, message: string, extraParents: string[] = []): Promise<string> {
  const { head, indexPath } = await worktreeHead(path);
  const tree = await treeViaIndexCopy(path, indexPath);
  return commitTree(path, tree, [head, ...extraParents], message);
}
