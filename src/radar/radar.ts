/**
 * The conflict radar: for every live session, a snapshot including uncommitted work; the files each
 * changed since its merge base (one batched diff-tree); then real three-way merges (one batched
 * merge-tree) only for the pairs whose file sets overlap — so the cost grows with overlapping pairs,
 * not with the size of the repository.
 */

import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { diffBatch, existingCommits, mergeTreeBatch, type PairDiff, treesOf } from "../git/batch.js";
import { resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { remoteRefs } from "../hosts/mirror.js";
import { remoteOf } from "../hosts/remote.js";
import { mapLimit } from "../infra/pool.js";
import { noticeConflicts } from "../notify/conflicts.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { markWatchUsed, startWatcher, watchEnabled } from "../watch/start.js";
import { readWatch } from "../watch/state.js";
import { type OwnershipIssue, ownershipIssues } from "./ownership.js";
import { indexPathOf, privateIndexPath, radarSnapshot, SnapshotCache } from "./snapshot.js";

export type PairStatus = "clean" | "same-files" | "conflict";

export interface PairResult {
  /** Session name. */
  a: string;
  /** Session name, or the base ref for a session-vs-base check (then `withBase` is true). */
  b: string;
  withBase: boolean;
  status: PairStatus;
  /** Files both sides changed since their merge base. */
  sharedFiles: string[];
  /** Files with a textual conflict (status "conflict"). */
  conflictFiles: string[];
}

export interface RadarSession {
  name: string;
  branch: string;
  path: string;
  baseRef: string;
  /** Snapshot commit (HEAD when clean). */
  snapshot: string;
  head: string | null;
  dirty: boolean;
  /** Files changed since the merge base with the base ref, committed or not. */
  changedFiles: string[];
  /** Lines of those changes, as `git diff --numstat` counts them (untracked files as new files). */
  linesAdded: number;
  linesRemoved: number;
  /** Paths whose content on disk differs from HEAD (uncommitted work, untracked files included). */
  uncommittedFiles: number;
  /** Commits on HEAD not in the base tip, and the other way round (null when git could not say). */
  ahead: number | null;
  behind: number | null;
}

export interface RadarReport {
  sessions: RadarSession[];
  /** Sessions left out, with why (worktree missing, broken checkout...). */
  skipped: Array<{ name: string; reason: string }>;
  bases: Array<{ ref: string; commit: string }>;
  /** Every pair of checked sessions, in cascade order. */
  pairs: PairResult[];
  /** Each session against the current tip of its base ref. */
  withBase: PairResult[];
  ownership: OwnershipIssue[];
  elapsedMs: number;
}

export interface RadarOptions {
  /** Reuse snapshots across calls (--watch keeps one). */
  cache?: SnapshotCache;
  /** Only these sessions (default: all sessions with a worktree on disk). */
  names?: string[];
}

/** Drop private indexes and cache entries of sessions that are gone. */
function forgetRemoved(tmpDir: string, cache: SnapshotCache, live: SessionRecord[]): void {
  cache.retain(new Set(live.map((s) => s.path)));
  const keep = new Set(live.map((s) => basename(privateIndexPath(tmpDir, s.path))));
  const idx = join(tmpDir, "idx");
  if (!existsSync(idx)) return;
  for (const f of readdirSync(idx)) if (!keep.has(f)) rmSync(join(idx, f), { force: true });
}

function intersect(a: string[], b: Set<string>): string[] {
  return a.filter((x) => b.has(x));
}

export async function runRadar(ctx: ProjectContext, opts: RadarOptions = {}): Promise<RadarReport> {
  const t0 = performance.now();
  const cwd = ctx.project.mainWorktree;
  const radarDir = join(ctx.project.stateDir, "radar");
  const cache = opts.cache ?? new SnapshotCache(join(radarDir, "snapshots.json"));
  const all = ctx.store.sessions();
  const wanted = opts.names ? all.filter((s) => opts.names?.includes(s.name)) : all;
  const skipped: RadarReport["skipped"] = [];
  const live: SessionRecord[] = [];
  // sessions on hosts: compared through what `braid host sync` (or merge) last fetched of them
  const remoteSnaps = new Map<string, { commit: string; head: string | null; dirty: boolean }>();
  for (const s of wanted) {
    const remote = remoteOf(s);
    if (remote) {
      const refs = remoteRefs(remote.host, s.name);
      const [head, wip] = await Promise.all([resolveCommit(cwd, refs.branch), resolveCommit(cwd, refs.wip)]);
      if (!head) skipped.push({ name: s.name, reason: `on host ${remote.host}, not fetched yet (braid host sync)` });
      else {
        const dirty = !!wip && (await new Repo(cwd).differ(head, wip));
        remoteSnaps.set(s.name, { commit: dirty && wip ? wip : head, head, dirty });
        live.push(s);
      }
    } else if (!existsSync(s.path)) skipped.push({ name: s.name, reason: `worktree missing: ${s.path}` });
    else live.push(s);
  }

  // Base tips, once per distinct base ref.
  // Base tips, once per distinct base ref, while git lists the worktrees.
  const baseRefs = [...new Set(live.map((s) => s.baseRef))];
  const bases = new Map<string, string>();
  const [tips, worktrees] = await Promise.all([
    Promise.all(baseRefs.map((ref) => resolveCommit(cwd, ref))),
    live.length ? listWorktrees(cwd).catch(() => []) : Promise.resolve([]),
  ]);
  baseRefs.forEach((ref, i) => {
    const c = tips[i];
    if (c) bases.set(ref, c);
  });

  // Snapshots, four at a time: each is mostly process start-up and lstat calls, which overlap well even on 2 cores.
  // HEADs of all worktrees (one worktree list) and their trees (one cat-file) instead of a rev-parse each.
  // No session to snapshot (status with none): no git at all.
  const heads = new Map<string, string>();
  for (const w of worktrees) if (w.head) heads.set(w.path, w.head);
  const trees = live.length
    ? await treesOf(cwd, [...heads.values()]).catch(() => new Map<string, string>())
    : new Map<string, string>();
  // The watcher's word on which worktrees did not change, read before any of them is looked at; no watcher yet: start
  // one for the next run.
  const local = live.filter((s) => !remoteSnaps.has(s.name));
  const watching = local.length > 0 && watchEnabled(ctx.config.watch);
  const watch = watching ? readWatch(ctx.project.stateDir) : { running: false, tokens: new Map<string, string>() };
  if (watching && watch.running) markWatchUsed(ctx.project.stateDir);
  else if (watching) startWatcher(ctx.project.stateDir, cwd);
  const snaps = await mapLimit(live, 4, async (s) => {
    const fetched = remoteSnaps.get(s.name);
    if (fetched) return fetched;
    const head = heads.get(s.path);
    const headTree = head ? trees.get(head) : undefined;
    const indexPath = indexPathOf(s.path);
    const known = head && headTree && indexPath ? { head, headTree, indexPath } : undefined;
    try {
      const watchToken = watch.tokens.get(s.path);
      return await radarSnapshot(s.path, { tmpDir: join(radarDir, "tmp"), cache, known, watchToken });
    } catch (e) {
      return e as Error;
    }
  });
  if (!opts.names) forgetRemoved(join(radarDir, "tmp"), cache, local);
  cache.save();

  const checked: Array<{
    rec: SessionRecord;
    snap: { commit: string; head: string | null; dirty: boolean };
    base: string;
  }> = [];
  live.forEach((rec, i) => {
    const snap = snaps[i];
    const base = bases.get(rec.baseRef);
    if (!snap) return;
    if (snap instanceof Error) skipped.push({ name: rec.name, reason: `cannot snapshot: ${snap.message}` });
    else if (!base) skipped.push({ name: rec.name, reason: `base ref "${rec.baseRef}" does not exist` });
    else checked.push({ rec, snap, base });
  });

  // Verify every id before the batches: on git 2.39 one bad id fails the whole merge-tree run.
  const ok = await existingCommits(cwd, [...checked.map((c) => c.snap.commit), ...bases.values()]);
  for (const c of checked) {
    if (ok.has(c.snap.commit)) continue;
    // A cached snapshot id whose object was pruned by gc: make it again without the cache (same content, same id).
    if (remoteSnaps.has(c.rec.name)) continue;
    const again = await radarSnapshot(c.rec.path, { tmpDir: join(radarDir, "tmp") }).catch(() => null);
    if (again && (await existingCommits(cwd, [again.commit])).has(again.commit)) {
      c.snap = again;
      ok.add(again.commit);
    }
  }
  const verified = checked.filter((c) => {
    if (ok.has(c.snap.commit)) return true;
    skipped.push({ name: c.rec.name, reason: `snapshot ${c.snap.commit} is not a commit` });
    return false;
  });

  // merge-base(snapshot, base) = merge-base(HEAD, base): the snapshot is one commit on top of HEAD.
  const relations = new CommitRelations(cwd, cache);
  const mergeBases = await mapLimit(verified, 4, (c) => relations.mergeBase(c.snap.head ?? c.snap.commit, c.base));
  cache.save();

  // Changed files and lines: session vs its merge base, base tip vs the same merge base, and (dirty ones) HEAD vs
  // the snapshot for the uncommitted paths; all in one diff-tree. With the snapshot this is the only pass over
  // the worktree's files: status reads its figures from here.
  const diffPairs: Array<[string, string]> = [];
  const at = verified.map((c, i) => {
    const mb = mergeBases[i] ?? c.base;
    const first = diffPairs.push([mb, c.snap.commit], [mb, c.base]) - 2;
    const uncommitted = c.snap.head && c.snap.dirty ? diffPairs.push([c.snap.head, c.snap.commit]) - 1 : -1;
    return { session: first, base: first + 1, uncommitted };
  });
  const [diffs, counts] = await Promise.all([
    diffBatch(cwd, diffPairs),
    mapLimit(verified, 4, (c) => (c.snap.head ? relations.aheadBehind(c.snap.head, c.base) : Promise.resolve(null))),
  ]);
  cache.save();
  const none: PairDiff = { files: [], added: 0, removed: 0 };
  const sessions: RadarSession[] = verified.map((c, i) => {
    const d = diffs[at[i]?.session ?? -1] ?? none;
    const u = at[i]?.uncommitted ?? -1;
    return {
      name: c.rec.name,
      branch: c.rec.branch,
      path: c.rec.path,
      baseRef: c.rec.baseRef,
      snapshot: c.snap.commit,
      head: c.snap.head,
      dirty: c.snap.dirty,
      changedFiles: d.files,
      linesAdded: d.added,
      linesRemoved: d.removed,
      uncommittedFiles: u < 0 ? 0 : (diffs[u]?.files.length ?? 0),
      ahead: counts[i]?.ahead ?? null,
      behind: counts[i]?.behind ?? null,
    };
  });
  const sets = sessions.map((s) => new Set(s.changedFiles));

  // Prefilter: only pairs sharing a file go to merge-tree.
  const pairs: PairResult[] = [];
  const withBase: PairResult[] = [];
  const toMerge: Array<{ result: PairResult; ids: [string, string] }> = [];
  for (let i = 0; i < sessions.length; i++) {
    const si = sessions[i] as RadarSession;
    for (let j = i + 1; j < sessions.length; j++) {
      const sj = sessions[j] as RadarSession;
      const shared = intersect(si.changedFiles, sets[j] as Set<string>);
      const result: PairResult = {
        a: si.name,
        b: sj.name,
        withBase: false,
        status: "clean",
        sharedFiles: shared,
        conflictFiles: [],
      };
      pairs.push(result);
      if (shared.length) toMerge.push({ result, ids: [si.snapshot, sj.snapshot] });
    }
    const baseChanged = new Set(diffs[at[i]?.base ?? -1]?.files ?? []);
    const shared = intersect(si.changedFiles, baseChanged);
    const result: PairResult = {
      a: si.name,
      b: si.baseRef,
      withBase: true,
      status: "clean",
      sharedFiles: shared,
      conflictFiles: [],
    };
    withBase.push(result);
    if (shared.length) toMerge.push({ result, ids: [verified[i]?.base as string, si.snapshot] });
  }
  const merges = await mergeTreeBatch(
    cwd,
    toMerge.map((m) => m.ids),
  );
  toMerge.forEach((m, k) => {
    const r = merges[k];
    if (!r) return;
    m.result.status = r.clean ? "same-files" : "conflict";
    m.result.conflictFiles = r.conflicts;
  });

  const ownership = sessions.flatMap((s, i) => ownershipIssues(verified[i]?.rec as SessionRecord, s.changedFiles, all));
  if (!opts.names) noticeConflicts(ctx, pairs);
  return {
    sessions,
    skipped,
    bases: [...bases].map(([ref, commit]) => ({ ref, commit })),
    pairs,
    withBase,
    ownership,
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/**
 * Merge bases and ahead/behind counts of (head, base) pairs: commits never change, so they are cached for good;
 * a pair several sessions share (fresh sessions all sit on the base tip) costs one git call, and a head that is
 * the base tip none.
 */
class CommitRelations {
  private readonly pending = new Map<string, Promise<unknown>>();
  constructor(
    private readonly cwd: string,
    private readonly cache: SnapshotCache,
  ) {}

  mergeBase(head: string, base: string): Promise<string | null> {
    if (head === base) return Promise.resolve(head);
    const known = this.cache.mergeBase(head, base);
    if (known) return Promise.resolve(known);
    return this.once(`mb ${head} ${base}`, async () => {
      const mb = await new Repo(this.cwd).mergeBase(head, base, { noOptionalLocks: false });
      if (mb) this.cache.setMergeBase(head, base, mb);
      return mb;
    });
  }

  /** Commits head has that base has not and the other way round (null when git cannot say). */
  aheadBehind(head: string, base: string): Promise<{ ahead: number; behind: number } | null> {
    if (head === base) return Promise.resolve({ ahead: 0, behind: 0 });
    const known = this.cache.aheadBehind(head, base);
    if (known) return Promise.resolve(known);
    return this.once(`ab ${head} ${base}`, async () => {
      const counts = await new Repo(this.cwd).aheadBehind(base, head);
      if (!counts || !Number.isFinite(counts.ahead) || !Number.isFinite(counts.behind)) return null;
      this.cache.setAheadBehind(head, base, counts);
      return counts;
    });
  }

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let p = this.pending.get(key) as Promise<T> | undefined;
    if (!p) {
      p = run();
      this.pending.set(key, p);
    }
    return p;
  }
}

/** Per session: names of the other sessions it would conflict with (textually). Board and status use this. */
export function conflictNames(report: RadarReport): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of report.sessions) out[s.name] = [];
  for (const p of report.pairs) {
    if (p.status !== "conflict") continue;
    out[p.a]?.push(p.b);
    out[p.b]?.push(p.a);
  }
  return out;
}

/** Run the radar and return, per session name, the sessions it would conflict with. */
export async function conflictSummary(ctx: ProjectContext): Promise<Record<string, string[]>> {
  return conflictNames(await runRadar(ctx));
}

/** The JSON shape of `braid conflicts --json` (stable: see README "JSON shapes"). */
export function radarJson(r: RadarReport) {
  return {
    sessions: r.sessions.map((s) => ({
      name: s.name,
      branch: s.branch,
      baseRef: s.baseRef,
      dirty: s.dirty,
      snapshot: s.snapshot,
      changedFiles: s.changedFiles.length,
      conflictsWith: conflictNames(r)[s.name] ?? [],
    })),
    pairs: r.pairs,
    withBase: r.withBase,
    ownership: r.ownership,
    skipped: r.skipped,
    elapsedMs: r.elapsedMs,
  };
}
