/**
 * A sandboxed implementation session commits into a private git dir, never into the repository itself:
 * objects borrowed read-only through `objects/info/alternates`, its own HEAD, index and refs, and the
 * repository's config included. Inside the sandbox the worktree's `.git` file is replaced by one that
 * points here, and the repository's common dir is mounted read-only.
 *
 * braid (outside) brings the session's branch back with `sync`: a fetch of that one branch, a
 * compare-and-swap of the real ref (a rewritten history is backed up to refs/braid/backup/ first), and
 * the index, so `git status` outside shows what the agent staged.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../infra/fsutil.js";
import { gitOut, gitTry } from "./git.js";

export interface PrivateGitDir {
  /** The repository's main worktree (where braid runs git for the real refs). */
  mainWorktree: string;
  commonDir: string;
  worktree: string;
  branch: string;
  /** Session name, for braid's own refs. */
  name: string;
  /** The private git dir. */
  dir: string;
  /** The replacement `.git` file for inside the sandbox. */
  dotGitFile: string;
}

/** The worktree's admin dir in the common dir (`<common>/worktrees/<id>`), where its real index lives. */
async function adminDir(worktree: string): Promise<string> {
  const d = await gitOut(["rev-parse", "--git-dir"], { cwd: worktree });
  return isAbsolute(d) ? d : join(worktree, d);
}

/** Create or refresh the private git dir at the branch's current tip (after syncing back any leftovers). */
export async function preparePrivateGitDir(p: PrivateGitDir): Promise<void> {
  if (existsSync(join(p.dir, "HEAD"))) await syncPrivateGitDir(p);
  mkdirSync(join(p.dir, "objects", "info"), { recursive: true, mode: 0o700 });
  mkdirSync(join(p.dir, "refs", "heads"), { recursive: true, mode: 0o700 });
  writeFileSync(join(p.dir, "objects", "info", "alternates"), `${join(p.commonDir, "objects")}\n`);
  writeFileSync(join(p.dir, "HEAD"), `ref: refs/heads/${p.branch}\n`);
  // The repository's settings (user, remotes, filters) still apply; the include is read on every git run.
  writeFileSync(join(p.dir, "config"), `[include]\n\tpath = ${join(p.commonDir, "config")}\n[core]\n\tbare = false\n`);
  const refs = await gitOut(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags"], {
    cwd: p.mainWorktree,
  });
  writeFileSync(join(p.dir, "packed-refs"), refs ? `${refs}\n` : "");
  const tip = await gitOut(["rev-parse", "--verify", `refs/heads/${p.branch}^{commit}`], { cwd: p.mainWorktree });
  const loose = join(p.dir, "refs", "heads", p.branch);
  mkdirSync(dirname(loose), { recursive: true });
  writeFileSync(loose, `${tip}\n`);
  const index = join(await adminDir(p.worktree), "index");
  if (existsSync(index)) copyFileSync(index, join(p.dir, "index"));
  writeFileSync(p.dotGitFile, `gitdir: ${p.dir}\n`);
}

export interface SyncResult {
  /** The branch moved to this commit (null: unchanged). */
  moved: string | null;
  /** The previous tip, saved because the new one does not contain it. */
  backup: string | null;
}

/** Bring the session's branch and index back into the repository. Safe to run at any time, repeatedly. */
export async function syncPrivateGitDir(p: PrivateGitDir): Promise<SyncResult> {
  const result: SyncResult = { moved: null, backup: null };
  const gitDirArgs = [`--git-dir=${p.dir}`];
  const inside = await gitTry([...gitDirArgs, "rev-parse", "--verify", "-q", `refs/heads/${p.branch}^{commit}`], {
    cwd: p.mainWorktree,
  });
  const outside = await gitTry(["rev-parse", "--verify", "-q", `refs/heads/${p.branch}^{commit}`], {
    cwd: p.mainWorktree,
  });
  if (inside && outside && inside !== outside) {
    const staging = `refs/braid/sandbox/${p.name}`;
    await gitOut(
      ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", p.dir, `+refs/heads/${p.branch}:${staging}`],
      { cwd: p.mainWorktree },
    );
    // What was fetched (the agent may have committed again since the look above).
    const fetched = await gitOut(["rev-parse", "--verify", staging], { cwd: p.mainWorktree });
    const contains = await gitTry(["merge-base", "--is-ancestor", outside, fetched], { cwd: p.mainWorktree });
    if (contains === null) {
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      await gitOut(["update-ref", `refs/braid/backup/${p.name}/sandbox-${stamp}`, outside], { cwd: p.mainWorktree });
      result.backup = outside;
    }
    // Compare-and-swap: if anything else moved the branch meanwhile, this fails and nothing is lost.
    await gitOut(["update-ref", `refs/heads/${p.branch}`, fetched, outside], { cwd: p.mainWorktree });
    await gitOut(["update-ref", "-d", staging], { cwd: p.mainWorktree });
    result.moved = fetched;
  }
  const from = join(p.dir, "index");
  if (existsSync(from)) {
    const to = join(await adminDir(p.worktree), "index");
    const data = readFileSync(from);
    if (!existsSync(to) || !readFileSync(to).equals(data)) writeFileAtomic(to, data, { mode: 0o644 });
  }
  return result;
}

/** The branch a private git dir's HEAD names (run from `cwd`), or null when it is detached or unreadable. */
export function privateHeadRef(cwd: string, gitDir: string): Promise<string | null> {
  return gitTry([`--git-dir=${gitDir}`, "symbolic-ref", "-q", "HEAD"], { cwd });
}

/** The commit `ref` names in a private git dir (run from `cwd`), or null when none. */
export function privateCommit(cwd: string, gitDir: string, ref: string): Promise<string | null> {
  return gitTry([`--git-dir=${gitDir}`, "rev-parse", "--verify", "-q", `${ref}^{commit}`], { cwd });
}
