/**
 * The radar's snapshot: a commit of a worktree exactly as it is on disk (committed + staged + unstaged + untracked, minus
 * ignored files), made without touching the worktree's own index or files: the agent working there
 * must never see an index.lock or a changed index because braid looked.
 *
 * How: a private copy of the worktree's index (GIT_INDEX_FILE), `git add -A` into it, write-tree, and
 * commit-tree on top of HEAD with fixed dates, so the same content always gives the same id.
 * The private index is kept between runs (re-copied only when the agent's index changes): `add -A` then
 * refreshes its stat data once, and later runs only stat files instead of re-reading "racily clean" ones
 * that a lock-free status can never fix in the agent's own index.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { writeFileAtomic } from "../fsutil.js";
import { git, gitOut } from "../git/git.js";

export interface Snapshot {
  /** Commit of the worktree's full content (HEAD itself when nothing is changed). */
  commit: string;
  /** HEAD of the worktree when the snapshot was taken (null on an unborn branch). */
  head: string | null;
  /** The worktree differs from HEAD (uncommitted or untracked work). */
  dirty: boolean;
}

/** Fixed identity and dates: the snapshot id depends on content only, so caches and merge results stay valid. */
const SNAPSHOT_ENV = {
  GIT_AUTHOR_NAME: "braid",
  GIT_AUTHOR_EMAIL: "braid@localhost",
  GIT_COMMITTER_NAME: "braid",
  GIT_COMMITTER_EMAIL: "braid@localhost",
  GIT_AUTHOR_DATE: "1700000000 +0000",
  GIT_COMMITTER_DATE: "1700000000 +0000",
};

/** Paths listed by `git status --porcelain=v1 -z` (renames give both names). */
export function parseStatusPaths(out: string): string[] {
  const paths: string[] = [];
  const parts = out.split("\0");
  for (let i = 0; i < parts.length; i++) {
    const e = parts[i] as string;
    if (e.length < 4) continue;
    paths.push(e.slice(3));
    if (e[0] === "R" || e[0] === "C") {
      const old = parts[++i];
      if (old) paths.push(old);
    }
  }
  return paths;
}

/** Worktree status without optional locks (never rewrites the agent's index). */
export async function statusPaths(worktree: string): Promise<string[]> {
  const out = await gitOut(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], {
    cwd: worktree,
    noOptionalLocks: true,
  });
  return parseStatusPaths(out);
}

interface CacheEntry {
  key: string;
  commit: string;
}

/**
 * Snapshots are cached per worktree by (HEAD, index mtime, changed paths with their size and mtime):
 * status has to run anyway to know whether the worktree is dirty, and a hit saves four git processes.
 * The cache is only a cache: it is written atomically, last writer wins, and ids are re-verified by callers.
 */
export class SnapshotCache {
  private snaps: Record<string, CacheEntry> = {};
  /** merge-base(head, base) by "head base": commits never change, so these never go stale. */
  private mbs: Record<string, string> = {};
  /** Stamp of each worktree's real index when its private copy was taken. */
  private stamps: Record<string, string> = {};
  private dirty = false;

  constructor(private readonly file: string | null) {
    if (file && existsSync(file)) {
      try {
        const data = JSON.parse(readFileSync(file, "utf8")) as {
          v?: number;
          snaps?: Record<string, CacheEntry>;
          mbs?: Record<string, string>;
          stamps?: Record<string, string>;
        };
        if (data.v === 3) {
          this.snaps = data.snaps ?? {};
          this.mbs = data.mbs ?? {};
          this.stamps = data.stamps ?? {};
        }
      } catch {
        /* unreadable cache: start empty */
      }
    }
  }

  get(worktree: string, key: string): string | undefined {
    const e = this.snaps[worktree];
    return e && e.key === key ? e.commit : undefined;
  }

  set(worktree: string, key: string, commit: string): void {
    this.snaps[worktree] = { key, commit };
    this.dirty = true;
  }

  indexStamp(worktree: string): string | undefined {
    return this.stamps[worktree];
  }

  setIndexStamp(worktree: string, stamp: string): void {
    this.stamps[worktree] = stamp;
    this.dirty = true;
  }

  /** Forget worktrees not in `keep` (removed sessions). */
  retain(keep: Set<string>): void {
    for (const k of Object.keys(this.snaps)) if (!keep.has(k)) delete this.snaps[k];
    for (const k of Object.keys(this.stamps)) if (!keep.has(k)) delete this.stamps[k];
    this.dirty = true;
  }

  mergeBase(head: string, base: string): string | undefined {
    return this.mbs[`${head} ${base}`];
  }

  setMergeBase(head: string, base: string, mb: string): void {
    const keys = Object.keys(this.mbs);
    if (keys.length > 500) for (const k of keys.slice(0, 250)) delete this.mbs[k]; // keep the file small
    this.mbs[`${head} ${base}`] = mb;
    this.dirty = true;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    try {
      writeFileAtomic(this.file, JSON.stringify({ v: 3, snaps: this.snaps, mbs: this.mbs, stamps: this.stamps }));
      this.dirty = false;
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}

export interface SnapshotOptions {
  /** braid's scratch dir for index files (under the state dir). */
  tmpDir: string;
  cache?: SnapshotCache;
  /** HEAD, its tree and the index path when the caller already knows them (saves a rev-parse per worktree). */
  known?: { head: string; headTree: string; indexPath: string };
}

function stamp(path: string): string {
  try {
    const st = lstatSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return "none";
  }
}

/** Private index file of a worktree inside tmpDir. */
export function privateIndexPath(tmpDir: string, worktree: string): string {
  return join(tmpDir, "idx", `${createHash("sha1").update(worktree).digest("hex").slice(0, 16)}.index`);
}

async function treeVia(cwd: string, indexFile: string): Promise<string> {
  const env = { GIT_INDEX_FILE: indexFile };
  await gitOut(["add", "-A", "--", "."], { cwd, env });
  return gitOut(["write-tree"], { cwd, env });
}

/** Snapshot one worktree. Throws GitError if the worktree is not a usable git checkout. */
export async function radarSnapshot(worktree: string, opts: SnapshotOptions): Promise<Snapshot> {
  const cwd = worktree;
  let head: string | null;
  let headTree: string | null;
  let realIndex: string;
  if (opts.known) {
    ({ head, headTree, indexPath: realIndex } = opts.known);
  } else {
    const info = await git(["rev-parse", "--git-path", "index", "HEAD", "HEAD^{tree}"], { cwd, okCodes: [0, 128] });
    const [indexRaw = "", headLine = "", treeLine = ""] = info.stdout.split("\n");
    const hex = /^[0-9a-f]{40,64}$/;
    head = info.code === 0 && hex.test(headLine) ? headLine : null;
    headTree = head && hex.test(treeLine) ? treeLine : null;
    if (!indexRaw || indexRaw.startsWith("fatal")) {
      await gitOut(["rev-parse", "--git-dir"], { cwd }); // throws the real reason
    }
    realIndex = isAbsolute(indexRaw) ? indexRaw : join(worktree, indexRaw);
  }

  const priv = privateIndexPath(opts.tmpDir, worktree);
  const realStamp = stamp(realIndex);
  let tree: string;
  try {
    if (!existsSync(priv) || opts.cache?.indexStamp(worktree) !== realStamp) {
      mkdirSync(join(opts.tmpDir, "idx"), { recursive: true });
      rmSync(priv, { force: true });
      if (existsSync(realIndex)) copyFileSync(realIndex, priv);
      opts.cache?.setIndexStamp(worktree, realStamp);
    }
    tree = await treeVia(cwd, priv);
  } catch {
    // Another radar holds the private index (index.lock), or it is damaged: use a one-off copy.
    mkdirSync(opts.tmpDir, { recursive: true });
    const once = join(opts.tmpDir, `snap-${process.pid}-${randomBytes(4).toString("hex")}.index`);
    try {
      if (existsSync(realIndex)) copyFileSync(realIndex, once);
      tree = await treeVia(cwd, once);
    } finally {
      rmSync(once, { force: true });
      rmSync(`${once}.lock`, { force: true });
    }
  }
  if (head && tree === headTree) return { commit: head, head, dirty: false };
  const key = `${head}|${tree}`;
  const hit = opts.cache?.get(worktree, key);
  if (hit) return { commit: hit, head, dirty: true };
  const args = ["commit-tree", tree, "-m", "braid snapshot"];
  if (head) args.push("-p", head);
  const commit = await gitOut(args, { cwd, env: SNAPSHOT_ENV });
  opts.cache?.set(worktree, key, commit);
  return { commit, head, dirty: true };
}

/** The index file of a worktree, from its `.git` file (linked worktree) or directory (main worktree). */
export function indexPathOf(worktree: string): string | null {
  const dotGit = join(worktree, ".git");
  try {
    if (lstatSync(dotGit).isDirectory()) return join(dotGit, "index");
    const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"));
    return m?.[1] ? join(resolve(worktree, m[1].trim()), "index") : null;
  } catch {
    return null;
  }
}
