/**
 * Project identity: one project per git repository, found through the common git dir so that
 * every worktree of a repo resolves to the same project (and the same memory, notes and state).
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { hashHex } from "../infra/hash.js";
import { hasField, readJsonFile } from "../infra/json.js";
import { braidHome } from "./paths.js";
import { projectProbe } from "./prefetch.js";

export interface Project {
  /** Absolute, real path of the git common dir (`.git` of the main worktree). */
  commonDir: string;
  /** Absolute path of the main worktree. */
  mainWorktree: string;
  /** Basename of the main worktree: `{repo}` in templates. */
  repoName: string;
  /** Global name of the project (memory file, tmux session): repoName, or repoName-<hash> on collision. */
  slug: string;
  /** braid's per-repo state: `<commonDir>/braid`. */
  stateDir: string;
  /** The worktree the command was run from (may be the main one). */
  currentWorktree: string;
}

function shortHash(s: string): string {
  return hashHex("sha256", s).slice(0, 6);
}

/** Find the project containing `cwd`; one-line errors for every way that can fail. */
export async function resolveProject(cwd: string): Promise<Project> {
  if (!existsSync(cwd))
    throw new BraidError(`directory does not exist: ${cwd}`, "run braid from inside a git repository");
  // No git call on the happy path of a plain layout, one otherwise; the slower diagnosis only runs when it fails.
  const facts = await projectProbe(cwd);
  if (!facts || facts.bare || !facts.insideWorkTree || !facts.top) return diagnose(cwd);
  const top = facts.top;
  const inSandbox = sandboxedProject(top);
  if (inSandbox) return inSandbox;
  const commonDir = realpathSync(facts.commonDir);
  const mainWorktree = await findMainWorktree(cwd, commonDir);
  const repoName = basename(mainWorktree);
  const slug = await projectSlug(repoName, commonDir);
  return { commonDir, mainWorktree, repoName, slug, stateDir: join(commonDir, "braid"), currentWorktree: top };
}

/**
 * Inside the sandbox an implementation session's git dir is a private one (see git/private-gitdir.ts), so git
 * would name the wrong project: braid's commands there (`braid note`, `learn`, `status`) take the project
 * braid launched the agent for from the environment it set.
 */
function sandboxedProject(top: string): Project | null {
  const env = process.env;
  if (env.BRAID_SANDBOXED !== "1" || !env.BRAID_STATE_DIR || !env.BRAID_MAIN_WORKTREE || !env.BRAID_PROJECT)
    return null;
  const stateDir = env.BRAID_STATE_DIR;
  const mainWorktree = env.BRAID_MAIN_WORKTREE;
  return {
    commonDir: dirname(stateDir),
    mainWorktree,
    repoName: basename(mainWorktree),
    slug: env.BRAID_PROJECT,
    stateDir,
    currentWorktree: top,
  };
}

/** Why cwd is not a usable repository, as a one-line error (always throws). */
async function diagnose(cwd: string): Promise<never> {
  if ((await new Repo(cwd).gitDir()) === null)
    throw new BraidError(`not a git repository: ${cwd}`, "run braid inside a git repository (or `git init` one first)");
  throw new BraidError(
    `${cwd} is a bare repository or not inside a working tree`,
    "run braid in a checkout with a working tree (git clone without --bare)",
  );
}

async function findMainWorktree(cwd: string, commonDir: string): Promise<string> {
  // The usual layout (<main>/.git) needs no git call; anything else asks git.
  if (basename(commonDir) === ".git" && existsSync(join(commonDir, "..", ".git", "HEAD"))) return dirname(commonDir);
  // The first entry of `worktree list` is always the main worktree.
  const first = (await listWorktrees(cwd))[0];
  if (first) return first.path;
  return resolve(commonDir, "..");
}

interface SlugRegistry {
  /** slug -> common dir that owns it */
  slugs: Record<string, string>;
}

function registryPath(): string {
  return join(braidHome(), "projects.json");
}

export function readSlugRegistry(): SlugRegistry {
  // missing or unreadable: start afresh, the registry is only a cache of claims
  return readJsonFile(registryPath(), hasField<SlugRegistry>("slugs", "object")) ?? { slugs: {} };
}

/**
 * The project's global slug. The basename of the main worktree, unless another repository
 * (another common dir) already claimed it in braid's global dirs; then basename-<hash of common dir>.
 * Claims are recorded once so the slug stays stable for the life of the repo.
 */
async function projectSlug(repoName: string, commonDir: string): Promise<string> {
  const known = readSlugRegistry();
  for (const [slug, dir] of Object.entries(known.slugs)) if (dir === commonDir) return slug;
  try {
    return await withLock(registryPath(), () => {
      const reg = readSlugRegistry();
      for (const [slug, dir] of Object.entries(reg.slugs)) if (dir === commonDir) return slug;
      const owner = reg.slugs[repoName];
      const slug = owner && owner !== commonDir && existsSync(owner) ? `${repoName}-${shortHash(commonDir)}` : repoName;
      reg.slugs[slug] = commonDir;
      writeFileAtomic(registryPath(), `${JSON.stringify(reg, null, 2)}\n`);
      return slug;
    });
  } catch {
    // A read-only or broken global dir must not stop braid from working in the repo.
    return repoName;
  }
}
