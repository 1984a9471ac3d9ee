/** Small, typed questions about refs and branches. */
import { discoverRepo } from "./discover.js";
import { git, gitOut, gitTry } from "./git.js";

/** Commit id a ref points at, or null if it does not name a commit. */
export function resolveCommit(cwd: string, ref: string): Promise<string | null> {
  return gitTry(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { cwd });
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  return (await gitTry(["show-ref", "--verify", "--quiet", `refs/heads/${branch}`], { cwd })) !== null;
}

/**
 * Is `branch` a name git accepts for a new branch? The rules of `git check-ref-format --branch`
 * (check_refname_format on refs/heads/<name>, plus no leading '-' and not HEAD), in JS because this
 * runs before every `braid new` and a git spawn there is on the user's wait. A test checks it
 * against git itself over a corpus of awkward names.
 */
export function isValidBranchName(branch: string): boolean {
  if (branch === "" || branch.startsWith("-") || branch === "HEAD") return false;
  // Control characters, space and DEL, then the characters git reserves for revision syntax and globs.
  for (let i = 0; i < branch.length; i++) {
    const c = branch.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  if (/[~^:?*[\\]/.test(branch)) return false;
  if (branch.includes("..") || branch.includes("@{") || branch.endsWith(".")) return false;
  return branch.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

/** The branch checked out at cwd, or null on a detached HEAD. */
export function currentBranch(cwd: string): Promise<string | null> {
  return gitTry(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd });
}

export interface BranchTips {
  /** Local branch name → commit. */
  heads: Map<string, string>;
  /** Branch origin/HEAD points at (without "origin/"), if known. */
  originHead: string | null;
}

/** Every local branch tip and origin/HEAD in one git call (instead of one call per question). */
export async function branchTips(cwd: string): Promise<BranchTips> {
  const out = await gitOut(
    ["for-each-ref", "--format=%(refname)%00%(symref)%00%(objectname)", "refs/heads/", "refs/remotes/origin/HEAD"],
    { cwd },
  );
  const heads = new Map<string, string>();
  let originHead: string | null = null;
  for (const line of out.split("\n")) {
    const [ref, symref, sha] = line.split("\0");
    if (!ref || !sha) continue;
    if (ref.startsWith("refs/heads/")) heads.set(ref.slice("refs/heads/".length), sha);
    else if (ref === "refs/remotes/origin/HEAD" && symref) originHead = symref.replace(/^refs\/remotes\/origin\//, "");
  }
  return { heads, originHead };
}

/** Everything resolveProject needs to know of the repository around a directory. */
export interface ProjectFacts {
  /** The common git dir, absolute. */
  commonDir: string;
  bare: boolean;
  insideWorkTree: boolean;
  /** The top of the work tree ("" when there is none). */
  top: string;
}

/**
 * The facts from the file system when the layout is plain (git/discover.ts), else from one git call: common dir
 * (absolute), bare?, inside a work tree?, top level. Rejects with git's error when git finds no repository.
 */
export async function projectFacts(cwd: string): Promise<ProjectFacts | null> {
  const found = discoverRepo(cwd);
  if (found) return { commonDir: found.commonDir, bare: false, insideWorkTree: true, top: found.top };
  const r = await git(
    [
      "rev-parse",
      "--path-format=absolute",
      "--git-common-dir",
      "--is-bare-repository",
      "--is-inside-work-tree",
      "--show-toplevel",
    ],
    { cwd },
  );
  const [commonDir, bare, inside, top = ""] = r.stdout.trim().split("\n");
  if (!commonDir) return null;
  return { commonDir, bare: bare === "true", insideWorkTree: inside === "true", top };
}
