/**
 * `braid clean --merged`: remove sessions whose work is already in their base branch. Never removes
 * work that is not integrated; uncommitted work blocks removal unless `force` (then it goes to a backup
 * ref through removeSession, exactly as `braid rm --force`).
 */
import { existsSync } from "node:fs";
import { type IntegratedHow, integratedHow } from "../git/integrated.js";
import { resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { isBraidError } from "../infra/errors.js";
import { faultPause } from "../infra/faults.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";
import { quiesceSession } from "../session/quiesce.js";
import { backupRefName, deleteRefAt, isAncestor, removeSession } from "../session/remove.js";
import { diskUsage } from "../worktree/du.js";

export interface CleanOptions {
  dryRun?: boolean;
  force?: boolean;
  /** Only these sessions (default: all). */
  names?: string[];
}

export interface CleanedSession {
  name: string;
  branch: string;
  path: string;
  /** How its work is in the base; `no-commits` for a finished research/review session that never committed. */
  how: IntegratedHow | "no-commits";
  reclaimedBytes: number;
  branchDeleted: boolean;
  /** Set when something was saved before removal (uncommitted work with --force, or a squash-merged branch). */
  backupRefs: string[];
  /** Why the branch was kept (it moved after the check); absent when deleted or not braid's. */
  branchKeptBecause?: string;
  /** True when the session's agent was still running and was stopped before removal. */
  agentStopped: boolean;
  /** Teardown problems reported on the way (failures only happen with --force; without it the session is refused). */
  warnings?: string[];
}

export interface CleanReport {
  dryRun: boolean;
  removed: CleanedSession[];
  /** Integrated, but not removed because removing would lose uncommitted work (use --force). */
  refused: Array<{ name: string; reason: string }>;
  /** Not integrated (or not checkable): left alone. */
  kept: Array<{ name: string; reason: string }>;
  reclaimedBytes: number;
}

/** Agents of these states are gone: a research/review session in one of them has nothing more to say. */
const FINISHED = new Set<SessionRecord["status"]>(["done", "failed", "stopped"]);

/** Research/review sessions are never merged: removable once finished, if they made no commits. */
async function whyReadOnly(
  ctx: ProjectContext,
  s: SessionRecord,
): Promise<{ how: "no-commits"; tip: string | null } | { reason: string }> {
  if (!FINISHED.has(s.status)) return { reason: `${s.type} session still ${s.status}: remove it with braid rm` };
  const tip = await resolveCommit(ctx.project.mainWorktree, `refs/heads/${s.branch}`);
  if (!existsSync(s.path)) return { how: "no-commits", tip };
  const start = s.ext?.fork?.snapshot ?? s.baseCommit;
  const head = await resolveCommit(s.path, "HEAD");
  if (head !== start) return { reason: `${s.type} session has commits: remove it with braid rm` };
  return { how: "no-commits", tip };
}

async function why(
  ctx: ProjectContext,
  s: SessionRecord,
): Promise<{ how: IntegratedHow; tip: string } | { how: "no-commits"; tip: string | null } | { reason: string }> {
  const cwd = ctx.project.mainWorktree;
  if (s.type !== "implementation") return whyReadOnly(ctx, s);
  const tip = await resolveCommit(cwd, `refs/heads/${s.branch}`);
  if (!tip) return { reason: `branch ${s.branch} does not exist` };
  const base = await resolveCommit(cwd, s.baseRef);
  if (!base) return { reason: `base ${s.baseRef} does not exist` };
  const merged = s.ext?.merge !== undefined;
  if (tip === s.baseCommit && !merged) return { reason: "no commits yet" };
  const how = await integratedHow(cwd, tip, base);
  return how ? { how, tip } : { reason: `not integrated into ${s.baseRef}` };
}

export async function cleanMerged(ctx: ProjectContext, opts: CleanOptions = {}): Promise<CleanReport> {
  const cwd = ctx.project.mainWorktree;
  const report: CleanReport = { dryRun: Boolean(opts.dryRun), removed: [], refused: [], kept: [], reclaimedBytes: 0 };
  const sessions = ctx.store.sessions().filter((s) => !opts.names || opts.names.includes(s.name));
  for (const listed of sessions) {
    let s = listed;
    let w = await why(ctx, s);
    let agentStopped = false;
    if ("reason" in w) {
      report.kept.push({ name: s.name, reason: w.reason });
      continue;
    }
    faultPause("clean-after-check");
    if (!opts.dryRun) {
      // Stop the agent and wait for it to exit, then decide again: it may have committed meanwhile.
      try {
        agentStopped = await quiesceSession(ctx, s.name);
        if (agentStopped) {
          s = ctx.store.require(s.name);
          w = await why(ctx, s);
        }
      } catch (e) {
        if (!isBraidError(e)) throw e;
        report.refused.push({ name: s.name, reason: e.oneLine() });
        continue;
      }
      if ("reason" in w) {
        report.kept.push({ name: s.name, reason: `${w.reason} (its agent was stopped first)` });
        continue;
      }
    }
    const exists = existsSync(s.path);
    const dirty = exists ? await statusPaths(s.path).catch(() => []) : [];
    if (dirty.length && !opts.force) {
      report.refused.push({
        name: s.name,
        reason: `${w.how === "no-commits" ? "finished" : "integrated"}, but has ${dirty.length} uncommitted change${dirty.length === 1 ? "" : "s"} (${w.how === "no-commits" ? "keep them elsewhere" : "commit them"}, or --force to back them up and remove)`,
      });
      continue;
    }
    const size = exists ? await diskUsage(s.path) : 0;
    const entry: CleanedSession = {
      name: s.name,
      branch: s.branch,
      path: s.path,
      how: w.how,
      reclaimedBytes: size,
      branchDeleted: false,
      backupRefs: [],
      agentStopped,
    };
    if (opts.dryRun) {
      report.removed.push(entry);
      report.reclaimedBytes += size;
      continue;
    }
    let r: Awaited<ReturnType<typeof removeSession>>;
    try {
      r = await removeSession(ctx, s.name, { force: opts.force, keepBranch: true });
    } catch (e) {
      if (!isBraidError(e)) throw e;
      report.refused.push({ name: s.name, reason: e.oneLine() });
      continue;
    }
    if (r.backupRef) entry.backupRefs.push(r.backupRef);
    if (r.teardown.warnings.length) entry.warnings = r.teardown.warnings;
    if (r.reclaimedBytes !== undefined) entry.reclaimedBytes = r.reclaimedBytes;
    if (s.createdBranch !== false && w.tip) {
      const repo = new Repo(cwd);
      if (!(await repo.worktreeListPorcelain()).includes(`branch refs/heads/${s.branch}\n`)) {
        const base = await resolveCommit(cwd, s.baseRef);
        if (w.how !== "no-commits" && !(await isAncestor(cwd, w.tip, base))) {
          // Integrated by patch or tree, not by ancestry: keep the commits reachable anyway (cheap insurance).
          const ref = backupRefName(s.name);
          await repo.setRef(ref, w.tip);
          entry.backupRefs.push(ref);
        }
        // Only the tip that was checked: a commit made since keeps the branch.
        entry.branchDeleted = await deleteRefAt(cwd, `refs/heads/${s.branch}`, w.tip);
        if (!entry.branchDeleted) entry.branchKeptBecause = `${s.branch} moved after it was checked`;
      }
    }
    report.removed.push(entry);
    report.reclaimedBytes += entry.reclaimedBytes;
  }
  return report;
}
