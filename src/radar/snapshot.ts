/**
 * The radar's snapshot: a commit of a worktree exactly as it is on disk (committed + staged + unstaged + untracked, minus
 * ignored files), made without touching the worktree's own index or files: the agent working there
 * must never see an index.lock or a changed index because braid looked.
 *
 * How: copy the worktree's index to a temp file, `git add -A` into that copy (GIT_INDEX_FILE), write
 * the tree and commit it on top of HEAD with fixed dates, so the same content always gives the same id.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../fsutil.js";
import { gitOut, gitTry } from "../git/git.js";

export interface Snapshot {
  /** Commit of the worktree's full content (HEAD itself when nothing is changed). */
  commit: string;
  /** HEAD of the worktree when the snapshot was taken (null on an unborn branch). */
  head: string | null;
  /** Paths changed or untracked relative to HEAD (from status). */
  changed: string[];
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
  private entries: Record<string, CacheEntry>;
  private dirty = false;

  constructor(private readonly file: string | null) {
    this.entries = {};
    if (file && existsSync(file)) {
      try {
        this.entries = JSON.parse(readFileSync(file, "utf8")) as Record<string, CacheEntry>;
      } catch {
        this.entries = {};
      }
    }
  }

  get(worktree: string, key: string): string | undefined {
    const e = this.entries[worktree];
    return e && e.key === key ? e.commit : undefined;
  }

  set(worktree: string, key: string, commit: string): void {
    this.entries[worktree] = { key, commit };
    this.dirty = true;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    try {
      writeFileAtomic(this.file, JSON.stringify(this.entries));
      this.dirty = false;
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}

function statKey(worktree: string, paths: string[]): string {
  const h = createHash("sha1");
  for (const p of paths) {
    h.update(p);
    try {
      const st = lstatSync(join(worktree, p));
      h.update(`:${st.size}:${st.mtimeMs}:${st.mode}\n`);
    } catch {
      h.update(":gone\n");
    }
  }
  return h.digest("hex");
}

export interface SnapshotOptions {
  /** Directory for temp index files (braid's state dir); cleaned up after each snapshot. */
  tmpDir: string;
  cache?: SnapshotCache;
}

/** Snapshot one worktree. Throws GitError if the worktree is not a usable git checkout. */
export async function radarSnapshot(worktree: string, opts: SnapshotOptions): Promise<Snapshot> {
  const cwd = worktree;
  const head = await gitTry(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd });
  const changed = await statusPaths(worktree);
  if (changed.length === 0 && head) return { commit: head, head, changed, dirty: false };

  const indexPathRaw = await gitOut(["rev-parse", "--git-path", "index"], { cwd });
  const indexPath = isAbsolute(indexPathRaw) ? indexPathRaw : join(worktree, indexPathRaw);
  let indexStamp = "none";
  try {
    const st = lstatSync(indexPath);
    indexStamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    /* no index yet */
  }
  const key = `${head}|${indexStamp}|${statKey(worktree, changed)}`;
  const hit = opts.cache?.get(worktree, key);
  if (hit) return { commit: hit, head, changed, dirty: true };

  mkdirSync(opts.tmpDir, { recursive: true });
  const tmpIndex = join(opts.tmpDir, `snap-${process.pid}-${randomBytes(4).toString("hex")}.index`);
  try {
    if (existsSync(indexPath)) copyFileSync(indexPath, tmpIndex);
    const env = { GIT_INDEX_FILE: tmpIndex };
    await gitOut(["add", "-A", "--", "."], { cwd, env });
    const tree = await gitOut(["write-tree"], { cwd, env });
    const args = ["commit-tree", tree, "-m", "braid snapshot"];
    if (head) args.push("-p", head);
    const commit = await gitOut(args, { cwd, env: SNAPSHOT_ENV });
    opts.cache?.set(worktree, key, commit);
    return { commit, head, changed, dirty: true };
  } finally {
    rmSync(tmpIndex, { force: true });
    rmSync(`${tmpIndex}.lock`, { force: true });
  }
}
