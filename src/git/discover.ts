/**
 * The repository around a directory, found on the file system the way git finds it, for the plain layouts only:
 * a `.git` directory, or the `.git` file of a linked worktree or a submodule. Every command starts by finding its
 * repository, and one `git rev-parse` spawn there is a fifth of a short command's time (`status` with no
 * sessions). Wherever git could decide otherwise the answer is null and the caller asks git: GIT_DIR and its kin, a
 * directory inside a git dir or a bare repository, core.bare, core.worktree, per-worktree or included config, a
 * repository owned by another user (safe.directory), a mount point on the way up, anything unreadable. A wrong
 * answer would put braid's state in another repository; null only costs the spawn.
 */
import { lstatSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface RepoFacts {
  /** The common git dir, absolute (as `git rev-parse --path-format=absolute --git-common-dir` prints it). */
  commonDir: string;
  /** The top of the work tree, real path (`--show-toplevel`). */
  top: string;
}

const stat = (p: string): Stats | undefined => statSync(p, { throwIfNoEntry: false });

/** git's is_git_directory, in short: HEAD, and objects and refs here or in the common dir. */
function isGitDir(dir: string): boolean {
  return stat(join(dir, "HEAD"))?.isFile() === true && (hasStore(dir) || stat(join(dir, "commondir")) !== undefined);
}

const hasStore = (dir: string): boolean =>
  stat(join(dir, "objects"))?.isDirectory() === true && stat(join(dir, "refs"))?.isDirectory() === true;

/** Config that changes where the work tree is, or whether there is one: only git reads it right. */
const CONFIG_GIT_DECIDES = /^\s*(?:worktree\s*=|bare\s*(?:=\s*(?:true|yes|on|1)\s*)?$|\[\s*include)/im;

/** Variables that change where git looks, what it accepts as a repository, or its config (`git -c`). */
const GIT_DECIDES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_CEILING_DIRECTORIES",
  "GIT_DISCOVERY_ACROSS_FILESYSTEM",
  "GIT_CONFIG",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_COUNT",
];

export function discoverRepo(cwd: string): RepoFacts | null {
  try {
    return walkUp(cwd);
  } catch {
    return null; // unreadable on the way: git says what is wrong
  }
}

function walkUp(cwd: string): RepoFacts | null {
  if (GIT_DECIDES.some((k) => process.env[k] !== undefined)) return null;
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  let dir = realpathSync(cwd);
  const device = statSync(dir).dev;
  for (;;) {
    const dotGit = join(dir, ".git");
    const st = lstatSync(dotGit, { throwIfNoEntry: false });
    if (st) return fromDotGit(dir, dotGit, st, uid);
    if (isGitDir(dir)) return null; // inside a git dir, or a bare repository
    const parent = dirname(dir);
    if (parent === dir || statSync(parent).dev !== device) return null; // no repository, or a mount point first
    dir = parent;
  }
}

function fromDotGit(top: string, dotGit: string, st: Stats, uid: number): RepoFacts | null {
  let gitDir: string;
  if (st.isDirectory()) gitDir = dotGit;
  else if (st.isFile()) {
    const m = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(dotGit, "utf8"));
    if (!m?.[1]) return null;
    gitDir = resolve(top, m[1]);
  } else return null; // a symlink or something stranger
  if (!isGitDir(gitDir)) return null;
  const commonFile = join(gitDir, "commondir");
  const commonDir = stat(commonFile) ? resolve(gitDir, readFileSync(commonFile, "utf8").replace(/\r?\n$/, "")) : gitDir;
  if (!hasStore(commonDir)) return null;
  // safe.directory: git refuses a repository whose work tree or git dir another user owns, unless configured to.
  if (statSync(top).uid !== uid || statSync(gitDir).uid !== uid) return null;
  if (stat(join(gitDir, "config.worktree"))) return null;
  if (CONFIG_GIT_DECIDES.test(readFileSync(join(commonDir, "config"), "utf8"))) return null;
  return { commonDir, top };
}
