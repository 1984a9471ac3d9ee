/** Repairs `braid doctor --fix` applies that take more than one git call. */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { basename, join, resolve } from "node:path";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { readJsonFile } from "../infra/json.js";
import type { ProjectContext } from "../project/context.js";
import { backupFile, type SessionRecord, type StateData, shapeProblem } from "../project/state.js";
import { resolveBase } from "../worktree/create.js";
import { validateSessionName } from "../worktree/names.js";

/** `.git` of a linked worktree: the admin dir it points at, or null when missing/unreadable. */
export function gitdirOf(worktree: string): string | null {
  const f = join(worktree, ".git");
  try {
    if (!statSync(f).isFile()) return null;
    const m = /^gitdir: (.+)$/m.exec(readFileSync(f, "utf8"));
    return m?.[1] ? resolve(worktree, m[1].trim()) : null;
  } catch {
    return null;
  }
}

/** A `.git` directory (a nested repository) holds history: never replaced by a repair. */
export function hasGitDir(worktree: string): boolean {
  try {
    return lstatSync(join(worktree, ".git")).isDirectory();
  } catch {
    return false;
  }
}

/** Is the worktree's `.git` link healthy (points at an existing admin dir)? */
export function linkOk(worktree: string): boolean {
  const d = gitdirOf(worktree);
  return d !== null && existsSync(d) && existsSync(join(d, "HEAD"));
}

/**
 * Re-attach a worktree directory whose admin entry is gone, on `branch`, keeping every file in it:
 * check the branch out (without touching files) into a temp worktree, move that `.git` link into the
 * directory, let git repair the back-link, and reset only the index to the branch.
 */
export async function readdWorktree(ctx: ProjectContext, path: string, branch: string): Promise<void> {
  const cwd = ctx.project.mainWorktree;
  // An admin entry that still claims this path is beyond repair (repair already failed): drop it,
  // so the branch is free to be checked out again. Files in the directory are not touched.
  const admin = join(ctx.project.commonDir, "worktrees");
  for (const id of existsSync(admin) ? readdirSync(admin) : []) {
    const back = join(admin, id, "gitdir");
    if (existsSync(back) && readFileSync(back, "utf8").trim() === join(path, ".git")) {
      rmSync(join(admin, id), { recursive: true, force: true });
    }
  }
  const repo = new Repo(cwd);
  await repo.pruneWorktrees();
  const stamp = Date.now();
  const tmp = `${path}.braid-readd-${stamp}`;
  await repo.addWorktreeNoCheckout(tmp, branch);
  const link = join(path, ".git");
  // Only a dangling `.git` *file* (a one-line pointer) is replaced; callers refuse a `.git` directory.
  if (existsSync(link)) unlinkSync(link);
  renameSync(join(tmp, ".git"), link);
  rmdirSync(tmp);
  await repo.repairWorktrees([path]);
  await new Repo(path).resetIndex();
}

/** Session name braid would have used for a worktree path made from the default template. */
export function nameFromPath(ctx: ProjectContext, path: string): string | null {
  const prefix = `${ctx.project.repoName}-`;
  const base = basename(path);
  if (!base.startsWith(prefix)) return null;
  const name = base.slice(prefix.length);
  try {
    validateSessionName(name);
    return name;
  } catch {
    return null;
  }
}

/** A registry record for an existing worktree braid did not (or no longer does) know about. */
export async function recordFor(
  ctx: ProjectContext,
  name: string,
  path: string,
  branch: string,
  order: number,
): Promise<SessionRecord> {
  const cwd = ctx.project.mainWorktree;
  let baseRef = "HEAD";
  let baseCommit = "";
  try {
    const base = await resolveBase(ctx);
    baseRef = base.ref;
    baseCommit = (await new Repo(cwd).mergeBase(base.commit, `refs/heads/${branch}`)) ?? base.commit;
  } catch {
    baseCommit = await new Repo(cwd).revParse(`refs/heads/${branch}`);
  }
  const now = new Date().toISOString();
  return {
    name,
    branch,
    path,
    baseRef,
    baseCommit,
    createdAt: now,
    order,
    type: "implementation",
    status: "created",
    statusSince: now,
    // braid did not create the branch as far as it can prove: `rm` keeps it.
    createdBranch: false,
  };
}

/** Rebuild the registry from `git worktree list`: every non-main worktree on a branch with a valid name. */
export async function rebuildRegistry(ctx: ProjectContext): Promise<StateData> {
  const data: StateData = { version: 1, nextOrder: 1, sessions: [] };
  const wts = (await listWorktrees(ctx.project.mainWorktree)).filter((w) => !w.main && w.branch && !w.prunable);
  for (const w of wts) {
    const name = nameFromPath(ctx, w.path) ?? basename(w.path);
    try {
      validateSessionName(name);
    } catch {
      continue;
    }
    if (data.sessions.some((s) => s.name === name)) continue;
    data.sessions.push(await recordFor(ctx, name, w.path, w.branch as string, data.nextOrder++));
  }
  return data;
}

/** The last good copy of the registry (state.json.bak), when it is readable and well-formed. */
function readBackup(file: string): StateData | null {
  return readJsonFile(backupFile(file), (d): d is StateData => shapeProblem(d) === null);
}

/**
 * A registry to replace a corrupt one: the previous registry (keeping each session's type, task, owned
 * globs and whether braid created its branch) for worktrees git still lists, plus a rebuilt record for each
 * worktree it lacks. Without a usable backup: rebuilt from git alone.
 */
export async function restoreRegistry(ctx: ProjectContext): Promise<StateData> {
  const rebuilt = await rebuildRegistry(ctx);
  const prev = readBackup(ctx.store.file);
  if (!prev) return rebuilt;
  const listed = new Set((await listWorktrees(ctx.project.mainWorktree)).map((w) => w.path));
  const data: StateData = { version: 1, nextOrder: prev.nextOrder, sessions: [] };
  for (const s of prev.sessions) if (listed.has(s.path) || existsSync(s.path)) data.sessions.push(s);
  const paths = new Set(data.sessions.map((s) => s.path));
  const names = new Set(data.sessions.map((s) => s.name));
  for (const s of rebuilt.sessions) {
    if (paths.has(s.path) || names.has(s.name)) continue;
    data.sessions.push({ ...s, order: data.nextOrder++ });
  }
  data.nextOrder = Math.max(data.nextOrder, ...data.sessions.map((s) => s.order + 1));
  return data;
}
