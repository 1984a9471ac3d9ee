/**
 * A train step without a checkout, for trains with nothing to run in the merged tree (no verify):
 * `git merge-tree --write-tree` merges the way `git merge` does (the same ort strategy, so the same
 * conflicts) and `commit-tree` records the result with the parents and message `git merge`/`git commit`
 * would give it. Only clean steps are done this way: on a conflict or any error it answers null, and the
 * train replays that step in an integration worktree (steps.ts), so a stop looks exactly as before.
 */
import { Repo } from "../git/repo.js";
import type { StepResult, Strategy } from "./steps.js";

/** Strategies this can do (a rebase replays commits one by one: it keeps the worktree path). */
export function canStepWithoutCheckout(strategy: Strategy): boolean {
  return strategy === "merge" || strategy === "squash";
}

/**
 * `contained`: whether `current` already contains `tip`, when the caller knows (the train works it out for all
 * steps at once, see tipsReached); otherwise git is asked.
 */
export async function treeStep(
  cwd: string,
  current: string,
  tip: string,
  strategy: Strategy,
  message: string,
  contained?: boolean,
): Promise<StepResult | null> {
  if (!canStepWithoutCheckout(strategy)) return null;
  // Already contained: `git merge` says "Already up to date." and makes no commit (squash stages nothing).
  const repo = new Repo(cwd);
  if (contained ?? (await repo.isAncestor(tip, current)))
    return { ok: true, head: current, conflictFiles: [], empty: true };
  const merged = await repo.mergeTreeNames(current, tip);
  if (merged.code !== 0) return null;
  const tree = merged.stdout.split("\0")[0]?.trim() ?? "";
  if (!/^[0-9a-f]{40,64}$/.test(tree)) return null;
  if (strategy === "squash" && tree === (await repo.revParse(`${current}^{tree}`))) {
    return { ok: true, head: current, conflictFiles: [], empty: true };
  }
  const head = await repo.commitTree(tree, strategy === "merge" ? [current, tip] : [current], message);
  return { ok: true, head, conflictFiles: [], empty: false };
}
