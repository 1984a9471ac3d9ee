/** One step of the train: integrate one session's branch into the integration worktree's HEAD. */
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";

export type Strategy = "merge" | "squash" | "rebase";
export const STRATEGIES: Strategy[] = ["merge", "squash", "rebase"];

/** A strategy as a user typed it (flag, API body); absent = merge. */
export function parseStrategy(s: string | undefined): Strategy {
  if (s === undefined) return "merge";
  if ((STRATEGIES as string[]).includes(s)) return s as Strategy;
  throw new BraidError(`unknown merge strategy "${s}"`, `use one of: ${STRATEGIES.join(", ")}`);
}

export interface StepResult {
  ok: boolean;
  /** HEAD of the integration worktree after the step. */
  head: string;
  conflictFiles: string[];
  /** Nothing new to integrate (the branch's changes are already in). */
  empty: boolean;
  error?: string;
}

async function unmerged(cwd: string): Promise<string[]> {
  return [...new Set(await new Repo(cwd).unmergedFiles())];
}

async function head(cwd: string): Promise<string> {
  return new Repo(cwd).head();
}

function firstLine(s: string): string {
  return (
    s
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? ""
  );
}

export async function integrateStep(
  cwd: string,
  tip: string,
  strategy: Strategy,
  message: string,
): Promise<StepResult> {
  const before = await head(cwd);
  const repo = new Repo(cwd);
  let r: { code: number; stdout: string; stderr: string };
  if (strategy === "merge") {
    r = await repo.tryMergeCommit(tip, message);
  } else if (strategy === "squash") {
    r = await repo.tryMergeSquash(tip);
    if (r.code === 0) {
      if (!(await repo.hasStaged())) return { ok: true, head: before, conflictFiles: [], empty: true };
      r = await repo.tryCommitStaged(message);
    }
  } else {
    r = await repo.tryRebaseOnto(before, before, tip);
  }
  if (r.code !== 0) {
    const conflicts = await unmerged(cwd).catch(() => []);
    return {
      ok: false,
      head: await head(cwd),
      conflictFiles: conflicts,
      empty: false,
      error: conflicts.length ? undefined : firstLine(r.stderr) || firstLine(r.stdout),
    };
  }
  const after = await head(cwd);
  return { ok: true, head: after, conflictFiles: [], empty: after === before };
}

/** Where and why a merge train stopped. */
export interface TrainStop {
  name: string;
  reason: "conflict" | "verify-failed" | "verify-not-found" | "merge-error" | "base-moved";
  conflictFiles: string[];
  /** Tail of the verify output, or git's message. */
  output: string;
}
