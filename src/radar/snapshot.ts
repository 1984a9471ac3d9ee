/**
 * The radar's snapshot: a commit of a worktree exactly as it is on disk (committed + staged + unstaged + untracked, minus
 * ignored files), made without touching the worktree's own index or files: the agent working there
 * must never see an index.lock or a changed index because braid looked.
 *
 * How: the shared core in git/snapshot.ts (a private copy of the worktree's index, `git add -A` into it,
 * write-tree, commit-tree on top of HEAD), with fixed identity and dates, so the same content always gives the same id.
 * The private index is kept between runs (re-copied only when the agent's index changes): `add -A` then
 * refreshes its stat data once, and later runs only stat files instead of re-reading "racily clean" ones
 * that a lock-free status can never fix in the agent's own index.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { indexChecksum, indexRootTree } from "../git/index-file.js";
import { Repo } from "../git/repo.js";
import {
  commitTree,
  copyIndex,
  differsFromIndex,
  SNAPSHOT_IDENTITY,
  stageAll,
  treeViaIndexCopy,
  worktreeHead,
  writeTree,
} from "../git/snapshot.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import { hashHex } from "../infra/hash.js";

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
  ...SNAPSHOT_IDENTITY,
  GIT_AUTHOR_DATE: "1700000000 +0000",
  GIT_COMMITTER_DATE: "1700000000 +0000",
};

/** How long a check of a worktree against the disk stands while the watcher says nothing changed (see unchangedSince). */
const WATCH_TRUST_MS = 60_000;

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
  return parseStatusPaths(await new Repo(worktree).statusZ());
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
  /** [ahead, behind] by "head base": like merge bases, never stale. */
  private counts: Record<string, [number, number]> = {};
  /** Tree of each worktree's private index, by the index file's checksum (same checksum, same content). */
  private trees: Record<string, { sum: string; tree: string }> = {};
  /** The watcher's token for each worktree as read before its last check against the disk, and when that was. */
  private checks: Record<string, { token: string; at: number }> = {};
  private dirty = false;

  constructor(private readonly file: string | null) {
    if (file && existsSync(file)) {
      try {
        const data = JSON.parse(readFileSync(file, "utf8")) as {
          v?: number;
          snaps?: Record<string, CacheEntry>;
          mbs?: Record<string, string>;
          stamps?: Record<string, string>;
          counts?: Record<string, [number, number]>;
          trees?: Record<string, { sum: string; tree: string }>;
          checks?: Record<string, { token: string; at: number }>;
        };
        if (data.v === 4) {
          this.snaps = data.snaps ?? {};
          this.mbs = data.mbs ?? {};
          this.stamps = data.stamps ?? {};
          this.counts = data.counts ?? {};
          this.trees = data.trees ?? {};
          this.checks = data.checks ?? {};
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

  /** The tree of the private index whose checksum is `sum`, if recorded. */
  indexTree(worktree: string, sum: string): string | undefined {
    const t = this.trees[worktree];
    return t && t.sum === sum ? t.tree : undefined;
  }

  setIndexTree(worktree: string, sum: string, tree: string): void {
    this.trees[worktree] = { sum, tree };
    this.dirty = true;
  }

  /**
   * Whether the worktree is known unchanged on disk since its last check: the watcher's token then and now are
   * equal. Trusted for WATCH_TRUST_MS after the check at most, so a change the watcher could not see (a global
   * ignore file edited, events the kernel dropped) shows within that.
   */
  unchangedSince(worktree: string, token: string, now = Date.now()): boolean {
    const c = this.checks[worktree];
    return !!c && c.token === token && now - c.at < WATCH_TRUST_MS;
  }

  setChecked(worktree: string, token: string, now = Date.now()): void {
    this.checks[worktree] = { token, at: now };
    this.dirty = true;
  }

  /** Forget worktrees not in `keep` (removed sessions). */
  retain(keep: Set<string>): void {
    for (const map of [this.snaps, this.stamps, this.trees, this.checks])
      for (const k of Object.keys(map))
        if (!keep.has(k)) {
          delete map[k];
          this.dirty = true; // written only when something went (a run that changed nothing writes nothing)
        }
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

  aheadBehind(head: string, base: string): { ahead: number; behind: number } | undefined {
    const c = this.counts[`${head} ${base}`];
    return c ? { ahead: c[0], behind: c[1] } : undefined;
  }

  setAheadBehind(head: string, base: string, c: { ahead: number; behind: number }): void {
    const keys = Object.keys(this.counts);
    if (keys.length > 500) for (const k of keys.slice(0, 250)) delete this.counts[k];
    this.counts[`${head} ${base}`] = [c.ahead, c.behind];
    this.dirty = true;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    try {
      writeFileAtomic(
        this.file,
        JSON.stringify({
          v: 4,
          snaps: this.snaps,
          mbs: this.mbs,
          stamps: this.stamps,
          counts: this.counts,
          trees: this.trees,
          checks: this.checks,
        }),
      );
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
  /** The watcher's token for the worktree, read before this snapshot (watch/state.ts): none when not watched. */
  watchToken?: string;
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
  return join(tmpDir, "idx", `${hashHex("sha1", worktree).slice(0, 16)}.index`);
}

/** Snapshot one worktree. Throws GitError if the worktree is not a usable git checkout. */
export async function radarSnapshot(worktree: string, opts: SnapshotOptions): Promise<Snapshot> {
  const { head, headTree, indexPath: realIndex } = opts.known ?? (await worktreeHead(worktree));
  const priv = privateIndexPath(opts.tmpDir, worktree);
  const realStamp = stamp(realIndex);
  let tree: string;
  try {
    const fresh = !existsSync(priv) || opts.cache?.indexStamp(worktree) !== realStamp;
    if (fresh) {
      mkdirSync(join(opts.tmpDir, "idx"), { recursive: true });
      rmSync(priv, { force: true });
      if (existsSync(realIndex)) copyIndex(realIndex, priv);
      opts.cache?.setIndexStamp(worktree, realStamp);
    }
    // The private index already holds the worktree as the last run staged it: when nothing on disk differs
    // from it (one status, no add), it needs no `add -A`; when the watcher saw no change since then, not even that.
    const token = opts.watchToken;
    const unchanged = !fresh && !!token && !!opts.cache?.unchangedSince(worktree, token);
    if (!unchanged) {
      if (fresh || !opts.cache || (await differsFromIndex(worktree, priv))) await stageAll(worktree, priv);
      if (token) opts.cache?.setChecked(worktree, token);
    }
    // Its tree, remembered by the index's checksum; else the one git recorded in the index itself (its cache-tree,
    // read with the checksum in one read, so the pair belongs together); else write-tree, which records it there.
    const sum = indexChecksum(priv);
    const known = sum ? opts.cache?.indexTree(worktree, sum) : undefined;
    if (known) tree = known;
    // Without a cache (the retry below), write-tree: it also checks that a recorded tree still exists.
    else if (!opts.cache) tree = await writeTree(worktree, priv);
    else {
      let recorded = indexRootTree(priv);
      if (recorded) tree = recorded.tree;
      else {
        tree = await writeTree(worktree, priv);
        recorded = indexRootTree(priv);
      }
      // A different tree there: another radar restaged the index meanwhile; remember nothing this time.
      if (recorded && recorded.tree === tree) opts.cache.setIndexTree(worktree, recorded.sum, tree);
    }
  } catch {
    // Another radar holds the private index (index.lock), or it is damaged: use a one-off copy.
    tree = await treeViaIndexCopy(worktree, realIndex, opts.tmpDir);
  }
  if (head && tree === headTree) return { commit: head, head, dirty: false };
  const key = `${head}|${tree}`;
  const hit = opts.cache?.get(worktree, key);
  if (hit) return { commit: hit, head, dirty: true };
  let commit: string;
  try {
    commit = await commitTree(worktree, tree, [head], "braid snapshot", SNAPSHOT_ENV);
  } catch (e) {
    // A remembered tree (ours, or one git recorded in the index) that is gone: make it again from the worktree.
    if (!opts.cache) throw e;
    return radarSnapshot(worktree, { ...opts, cache: undefined });
  }
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
