/**
 * Git side of a swarm: executor sub-worktrees branched from the session branch, recording an
 * executor's work as a commit, and merging executor branches into the session worktree.
 */
import { rmSync } from "node:fs";
import { branchExists } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { picomatch } from "../infra/glob.js";
import type { Merge } from "./record.js";

export interface SubWorktree {
  branch: string;
  path: string;
}

/** Branch for one executor run: braid-swarm/<session>/r<round>-<id>. */
export function executorBranch(session: string, round: number, id: string): string {
  return `braid-swarm/${session}/r${round}-${id}`;
}

/**
 * Create a worktree on a new branch at `from` (the session branch's head). A branch left by an earlier
 * run keeps its work: the new one gets a -2, -3 … suffix instead.
 */
export async function addSubWorktree(repo: string, path: string, branch: string, from: string): Promise<SubWorktree> {
  // One at a time: git 2.39's `worktree add` reads every other worktree's admin dir and fails on one another
  // add is still writing ("failed to read .git/worktrees/<id>/commondir"), as parallel executors did.
  const turn = worktreeAdds.then(async () => {
    await removeSubWorktree(repo, path);
    let name = branch;
    for (let i = 2; await branchExists(repo, name); i++) name = `${branch}-${i}`;
    await new Repo(repo).addWorktree(path, name, from);
    return { branch: name, path };
  });
  worktreeAdds = turn.catch(() => undefined);
  return turn;
}

/** The tail of this process's queue of sub-worktree adds. */
let worktreeAdds: Promise<unknown> = Promise.resolve();

export async function removeSubWorktree(repo: string, path: string): Promise<void> {
  const r = new Repo(repo);
  await r.removeWorktree(path).catch(() => undefined);
  rmSync(path, { recursive: true, force: true });
  await r.pruneWorktrees().catch(() => undefined);
}

/**
 * Commit whatever the executor left uncommitted (agents may or may not commit themselves).
 * Returns the branch head if it moved past `from`, else null (nothing to merge).
 */
export async function recordWork(wt: SubWorktree, from: string, message: string): Promise<string | null> {
  const repo = new Repo(wt.path);
  await repo.commitAll(message);
  const head = await repo.head();
  return head === from ? null : head;
}

/** Files changed between `from` and the worktree head that none of `owns` covers. */
export async function filesOutside(wt: SubWorktree, from: string, owns: string[]): Promise<string[]> {
  const changed = await new Repo(wt.path).changedFiles(from);
  const matchers = owns.map((o) => {
    const m = picomatch()(o, { dot: true });
    return (f: string) => o === "" || o === "**" || f === o || f.startsWith(`${o}/`) || m(f);
  });
  return changed.filter((f) => !matchers.some((m) => m(f)));
}

/**
 * Merge `branch` into the branch checked out at `sessionPath`. On conflict the merge is aborted
 * (the session branch is left as it was) and the conflicting files are returned.
 */
export async function mergeInto(sessionPath: string, branch: string, message: string): Promise<Merge> {
  const repo = new Repo(sessionPath);
  const before = await repo.head();
  const r = await repo.mergeNoFf(branch, message);
  if (r.ok) {
    const after = await repo.head();
    return { branch, commit: after === before ? null : after, conflict: null };
  }
  const files = await repo.conflictedFiles();
  await repo.abortMerge();
  return { branch, commit: null, conflict: files.length ? files : [lastLine(r.output)] };
}

function lastLine(s: string): string {
  const lines = s
    .trim()
    .split("\n")
    .filter((l) => l.trim());
  return lines[lines.length - 1] ?? "merge failed";
}

/** The combined diff reviewers judge, capped so it fits in a prompt. */
export async function combinedDiff(sessionPath: string, from: string, maxChars = 120_000): Promise<string> {
  const repo = new Repo(sessionPath);
  const stat = await repo.diffStat(from);
  const patch = await repo.diffText(from);
  const body =
    patch.length > maxChars
      ? `${patch.slice(0, maxChars)}\n[... diff cut at ${maxChars} characters: read the files]`
      : patch;
  return `${stat}\n\n${body}`;
}
