/**
 * `braid new`: a worktree and branch for a session, registered in the state store.
 * Either everything is created or nothing is left behind (rollback of what this call made).
 */
import { lstatSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { GitError } from "../git/git.js";
import { type BranchTips, branchTips, currentBranch, isValidBranchName, resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { retryConcurrentAdd } from "../git/worktree-add-race.js";
import { listWorktrees } from "../git/worktrees.js";
import { BraidError } from "../infra/errors.js";
import { faultPause } from "../infra/faults.js";
import { processStart } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import { takePrefetchedTips } from "../project/prefetch.js";
import type { PendingStep, SessionRecord, SessionType, StateData } from "../project/state.js";
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
    if (base)
      throw new BraidError(`base ref "${base}" does not exist`, "pass --base with an existing branch, tag or commit");
    throw new BraidError(
      `base ref "${explicit}" (the \`base\` setting) does not exist`,
      "set it to an existing branch with `braid config set base BRANCH` (or in braid.toml), or pass --base",
    );
  }
  const existing = (b: string | null | undefined): b is string => Boolean(b) && tips.heads.has(b as string);
  let ref = [tips.originHead, "main", "master"].find(existing) ?? null;
  if (!ref) {
    const configured = await new Repo(cwd).getConfig("init.defaultBranch");
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
  checkTargetPath(path);
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

/** The target must be absent or an empty real directory: never a symlink (it would redirect the checkout) or a file. */
function checkTargetPath(path: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR")
      throw new BraidError(`worktree path ${path} is inside a file, not a directory`, "pass --path <dir> elsewhere");
    throw e;
  }
  if (st.isSymbolicLink())
    throw new BraidError(
      `worktree path ${path} is a symbolic link (to ${readlinkSync(path)}): refusing to check out through it`,
      "remove the link, or pass --path <real dir>",
    );
  if (!st.isDirectory())
    throw new BraidError(`worktree path ${path} exists and is a file`, "move it away, or pass --path <empty dir>");
  if (readdirSafe(path).length > 0)
    throw new BraidError(`worktree path ${path} exists and is not empty`, "remove it, or pass --path <empty dir>");
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return ["?"];
  }
}

async function fetchBase(ctx: ProjectContext, base?: string): Promise<void> {
  const cwd = ctx.project.mainWorktree;
  const repo = new Repo(cwd);
  const remote = await repo.remotes();
  if (remote.length === 0) return; // nothing to fetch from: not an error for a local-only repo
  const target = remote.includes("origin") ? "origin" : (remote[0] as string);
  try {
    await repo.fetch(target, base);
  } catch (e) {
    if (e instanceof GitError)
      throw new BraidError(`fetch from ${target} failed: ${e.message}`, "check the network/remote, or drop --fetch");
    throw e;
  }
}

/** This process, as the maker of a pending session (alive, or provably dead once killed). */
export function maker(step: PendingStep["step"]): PendingStep {
  return { step, pid: process.pid, start: processStart(process.pid), host: hostname() };
}

/** The registry record of a session about to be made by `plan` (pending `step`), added to `data`. */
export function addPendingRecord(
  data: StateData,
  plan: CreatePlan,
  opts: CreateOptions,
  step: PendingStep["step"],
): SessionRecord {
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
    pending: maker(step),
    ...(opts.task ? { task: opts.task } : {}),
    ...(opts.owns?.length ? { owns: opts.owns } : {}),
  };
  data.sessions.push(record);
  return record;
}

/**
 * Create the worktree + branch and register the session. The session is registered first, marked pending
 * (the registry lock is not held during the checkout: a long one must not block other writers), so a kill
 * at any point leaves a record saying how far it got — resumed by the next `new`/`start` or `doctor --fix`,
 * never an unknown half checkout. A failure rolls back what this call made. With `bootstrap`, the record
 * stays pending ("bootstrap") until the caller's bootstrap finished.
 */
export async function createWorktree(
  ctx: ProjectContext,
  opts: CreateOptions & { bootstrap?: boolean },
): Promise<SessionRecord> {
  const plan = await planWorktree(ctx, opts);
  const { project, config, store } = ctx;
  const cwd = project.mainWorktree;
  await store.update((data) => {
    addPendingRecord(data, plan, opts, "checkout");
  });
  try {
    await retryConcurrentAdd(
      () =>
        new Repo(cwd).checkoutWorktree(plan.path, plan.branch, {
          workers: config.checkout_workers,
          ...(plan.reuseBranch ? {} : { from: plan.baseCommit }),
        }),
      () => rollback(cwd, plan), // the branch git may have made before it stopped
    );
    faultPause("new-after-checkout");
    return await store.update((data) => {
      const r = data.sessions.find((s) => s.name === plan.name);
      if (!r)
        throw new BraidError(`session "${plan.name}" vanished while it was being created`, "run the command again");
      if (opts.bootstrap) r.pending = maker("bootstrap");
      else delete r.pending;
      return r;
    });
  } catch (e) {
    await rollback(cwd, plan);
    await store
      .update((d) => {
        d.sessions = d.sessions.filter((s) => s.name !== plan.name);
      })
      .catch(() => undefined);
    if (e instanceof GitError)
      throw new BraidError(
        `could not create worktree: ${e.message}`,
        "fix what git reports and retry; nothing was created",
      );
    throw e;
  }
}

/**
 * Undo a worktree this process (or a killed `new`) made: nothing in it yet but the checkout. The branch
 * goes only if braid made it and it is still at the commit it was made from (compare-and-swap).
 */
export async function rollback(
  cwd: string,
  plan: Pick<CreatePlan, "path" | "branch" | "reuseBranch" | "baseCommit">,
): Promise<void> {
  const repo = new Repo(cwd);
  if (!(await repo.removeWorktree(plan.path, { evenIfLocked: true }).catch(() => false)))
    rmSync(plan.path, { recursive: true, force: true });
  await repo.pruneWorktrees().catch(() => undefined);
  if (!plan.reuseBranch) await repo.deleteRefAt(`refs/heads/${plan.branch}`, plan.baseCommit).catch(() => false);
}
