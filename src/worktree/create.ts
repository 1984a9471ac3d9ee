/**
 * `braid new`: a worktree and branch for a session, registered in the state store.
 * Either everything is created or nothing is left behind (rollback of what this call made).
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { GitError, git, gitOut, gitTry } from "../git/git.js";
import { type BranchTips, branchTips, currentBranch, isValidBranchName, resolveCommit } from "../git/refs.js";
import { listWorktrees } from "../git/worktrees.js";
import { BraidError } from "../infra/errors.js";
import { preloadLocking } from "../infra/fsutil.js";
import type { ProjectContext } from "../project/context.js";
import { takePrefetchedTips } from "../project/prefetch.js";
import type { SessionRecord, SessionType } from "../project/state.js";
import { fillTemplate } from "../project/template.js";
import { validateSessionName } from "./names.js";

export interface CreateOptions {
  name: string;
  base?: string;
  branch?: string;
  path?: string;
  fetch?: boolean;
  type?: SessionType;
  task?: string;
  owns?: string[];
}

export interface CreatePlan {
  name: string;
  branch: string;
  path: string;
  baseRef: string;
  baseCommit: string;
  reuseBranch: boolean;
}

/**
 * Resolve the base ref the way every command does: option > config > repo default branch
 * (origin/HEAD, main, master, init.defaultBranch, the main worktree's branch). On the common path
 * that is the one for-each-ref call: this runs on every `new` and `ls`, and a spawn is ~10 ms of
 * the user's wait, so git's config is asked only when no usual name exists.
 */
export async function resolveBase(
  ctx: ProjectContext,
  base?: string,
  tipsOf: Promise<BranchTips> = branchTips(ctx.project.mainWorktree),
): Promise<{ ref: string; commit: string }> {
  const cwd = ctx.project.mainWorktree;
  const explicit = base ?? ctx.config.base;
  const [tips, explicitCommit] = await Promise.all([tipsOf, explicit ? resolveCommit(cwd, explicit) : null]);
  const noCommits = async () => tips.heads.size === 0 && !(await resolveCommit(cwd, "HEAD"));
  if (explicit) {
    if (explicitCommit) return { ref: explicit, commit: explicitCommit };
    if (await noCommits()) throw noCommitsError();
    throw new BraidError(`base ref "${explicit}" does not exist`, "pass --base with an existing branch, tag or commit");
  }
  const existing = (b: string | null | undefined): b is string => Boolean(b) && tips.heads.has(b as string);
  let ref = [tips.originHead, "main", "master"].find(existing) ?? null;
  if (!ref) {
    const configured = await gitTry(["config", "init.defaultBranch"], { cwd });
    if (existing(configured)) ref = configured;
  }
  if (!ref) {
    if (await noCommits()) throw noCommitsError();
    ref = await currentBranch(cwd);
  }
  const commit = ref ? (tips.heads.get(ref) ?? (await resolveCommit(cwd, ref))) : null;
  if (!ref || !commit) {
    if (await noCommits()) throw noCommitsError();
    throw new BraidError(
      "cannot tell the base branch: HEAD is detached and there is no main/master branch",
      "pass --base <ref> or set `base` in braid.toml",
    );
  }
  return { ref, commit };
}

function noCommitsError(): BraidError {
  return new BraidError(
    "the repository has no commits yet",
    "make a first commit (e.g. `git commit --allow-empty -m init`), then try again",
  );
}

/**
 * Work out (and check) everything `new` will do, without changing anything. One round of git calls
 * (branch tips and base at once) when the branch is new; the worktree list only when it is reused.
 */
export async function planWorktree(ctx: ProjectContext, opts: CreateOptions): Promise<CreatePlan> {
  const { project, config, store } = ctx;
  validateSessionName(opts.name);
  if (store.get(opts.name)) {
    throw new BraidError(
      `a session named "${opts.name}" already exists`,
      "pick another name, or `braid rm` the old one",
    );
  }
  const vars = { repo: project.repoName, name: opts.name };
  const branch = opts.branch ?? fillTemplate(config.branch, vars);
  if (!isValidBranchName(branch)) {
    throw new BraidError(
      `"${branch}" is not a valid git branch name`,
      "choose a name without spaces, '..', '~', '^', ':' or '\\'",
    );
  }
  const rawPath = opts.path ?? fillTemplate(config.worktree_path, vars);
  const path = isAbsolute(rawPath) ? rawPath : resolve(project.mainWorktree, rawPath);
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new BraidError(`worktree path ${path} exists and is not empty`, "remove it, or pass --path <empty dir>");
  }
  const fetch = opts.fetch ?? config.fetch;
  // Tips read before a fetch are stale after it: then read them again.
  const prefetched = takePrefetchedTips();
  if (fetch) await fetchBase(ctx, opts.base ?? config.base);
  const tips = prefetched.then((t) => (!fetch && t) || branchTips(project.mainWorktree));
  const base = await resolveBase(ctx, opts.base, tips);
  const reuseBranch = (await tips).heads.has(branch);
  if (reuseBranch) {
    const holder = (await listWorktrees(project.mainWorktree)).find((w) => w.branch === branch);
    if (holder) {
      throw new BraidError(
        `branch "${branch}" is already checked out at ${holder.path}`,
        "pass --branch <other> or remove that worktree first",
      );
    }
  }
  return { name: opts.name, branch, path, baseRef: base.ref, baseCommit: base.commit, reuseBranch };
}

async function fetchBase(ctx: ProjectContext, base?: string): Promise<void> {
  const cwd = ctx.project.mainWorktree;
  const remote = (await gitOut(["remote"], { cwd })).split("\n").filter(Boolean);
  if (remote.length === 0) return; // nothing to fetch from: not an error for a local-only repo
  const target = remote.includes("origin") ? "origin" : (remote[0] as string);
  try {
    await git(["fetch", "--quiet", target, ...(base ? [base] : [])], { cwd });
  } catch (e) {
    if (e instanceof GitError)
      throw new BraidError(`fetch from ${target} failed: ${e.message}`, "check the network/remote, or drop --fetch");
    throw e;
  }
}

/**
 * Create the worktree + branch and register the session. Rolls back on any failure.
 * The lock library loads while git checks out, so registering costs little more than its write;
 * the lock itself is taken only after the checkout (a long one must not block other writers).
 */
export async function createWorktree(ctx: ProjectContext, opts: CreateOptions): Promise<SessionRecord> {
  const plan = await planWorktree(ctx, opts);
  const { project, config, store } = ctx;
  const cwd = project.mainWorktree;
  const args = ["-c", `checkout.workers=${config.checkout_workers}`, "worktree", "add", "--quiet"];
  if (plan.reuseBranch) args.push(plan.path, plan.branch);
  else args.push("--no-track", "-b", plan.branch, plan.path, plan.baseCommit);
  const added = git(args, { cwd });
  preloadLocking();
  try {
    await added;
  } catch (e) {
    if (e instanceof GitError)
      throw new BraidError(`could not create worktree: ${e.message}`, "see the git message above; nothing was created");
    throw e;
  }
  try {
    return await store.update((data) => {
      if (data.sessions.some((s) => s.name === plan.name)) {
        throw new BraidError(`a session named "${plan.name}" already exists`, "pick another name");
      }
      const now = new Date().toISOString();
      const record: SessionRecord = {
        name: plan.name,
        branch: plan.branch,
        path: plan.path,
        baseRef: plan.baseRef,
        baseCommit: plan.baseCommit,
        createdAt: now,
        order: data.nextOrder++,
        type: opts.type ?? "implementation",
        status: "created",
        statusSince: now,
        createdBranch: !plan.reuseBranch,
        ...(opts.task ? { task: opts.task } : {}),
        ...(opts.owns?.length ? { owns: opts.owns } : {}),
      };
      data.sessions.push(record);
      return record;
    });
  } catch (e) {
    await rollback(cwd, plan);
    throw e;
  }
}

/** Undo a worktree this process just created (nothing in it yet but the checkout). */
export async function rollback(cwd: string, plan: CreatePlan): Promise<void> {
  await git(["worktree", "remove", "--force", plan.path], { cwd }).catch(() =>
    rmSync(plan.path, { recursive: true, force: true }),
  );
  await git(["worktree", "prune"], { cwd }).catch(() => undefined);
  if (!plan.reuseBranch) await git(["branch", "-D", plan.branch], { cwd }).catch(() => undefined);
}
