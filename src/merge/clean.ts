/**
 * `braid clean --merged`: remove sessions whose work is already in their base branch. Never removes
 * work that is not integrated; uncommitted work blocks removal unless `force` (then it goes to a backup
 * ref through removeSession, exactly as `braid rm --force`).
 */
import { existsSync } from "node:fs";
import { isBraidError } from "../errors.js";
import { git } from "../git/git.js";
import { resolveCommit } from "../git/refs.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";
import { stopSession } from "../session/control.js";
import { diskUsage } from "../worktree/du.js";
import { removeSession } from "../worktree/remove.js";
import { type IntegratedHow, integratedHow } from "./integrated.js";

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
  how: IntegratedHow;
  reclaimedBytes: number;
  branchDeleted: boolean;
  /** Set when something was saved before removal (uncommitted work with --force, or a squash-merged branch). */
  backupRefs: string[];
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

function stamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, "");
}

async function why(ctx: ProjectContext, s: SessionRecord): Promise<{ how: IntegratedHow } | { reason: string }> {
  const cwd = ctx.project.mainWorktree;
  if (s.type === "research") return { reason: "research session (nothing to merge): remove it with braid rm" };
  const tip = await resolveCommit(cwd, `refs/heads/${s.branch}`);
  if (!tip) return { reason: `branch ${s.branch} does not exist` };
  const base = await resolveCommit(cwd, s.baseRef);
  if (!base) return { reason: `base ${s.baseRef} does not exist` };
  const merged = (s.ext as { merge?: unknown } | undefined)?.merge !== undefined;
  if (tip === s.baseCommit && !merged) return { reason: "no commits yet" };
  const how = await integratedHow(cwd, tip, base);
  return how ? { how } : { reason: `not integrated into ${s.baseRef}` };
}

export async function cleanMerged(ctx: ProjectContext, opts: CleanOptions = {}): Promise<CleanReport> {
  const cwd = ctx.project.mainWorktree;
  const report: CleanReport = { dryRun: Boolean(opts.dryRun), removed: [], refused: [], kept: [], reclaimedBytes: 0 };
  const sessions = ctx.store.sessions().filter((s) => !opts.names || opts.names.includes(s.name));
  for (const s of sessions) {
    const w = await why(ctx, s);
    if ("reason" in w) {
      report.kept.push({ name: s.name, reason: w.reason });
      continue;
    }
    const exists = existsSync(s.path);
    const dirty = exists ? await statusPaths(s.path).catch(() => []) : [];
    if (dirty.length && !opts.force) {
      report.refused.push({
        name: s.name,
        reason: `integrated, but has ${dirty.length} uncommitted change${dirty.length === 1 ? "" : "s"} (commit them, or --force to back them up and remove)`,
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
    };
    if (opts.dryRun) {
      report.removed.push(entry);
      report.reclaimedBytes += size;
      continue;
    }
    let r: Awaited<ReturnType<typeof removeSession>>;
    try {
      await stopSession(ctx, s.name); // the agent must not keep writing into a worktree being removed
      r = await removeSession(ctx, s.name, { force: opts.force, keepBranch: true });
    } catch (e) {
      if (!isBraidError(e)) throw e;
      report.refused.push({ name: s.name, reason: e.oneLine() });
      continue;
    }
    if (r.backupRef) entry.backupRefs.push(r.backupRef);
    if (r.teardown.warnings.length) entry.warnings = r.teardown.warnings;
    if (r.reclaimedBytes !== undefined) entry.reclaimedBytes = r.reclaimedBytes;
    if (s.createdBranch !== false) {
      const still = await git(["worktree", "list", "--porcelain"], { cwd });
      if (!still.stdout.includes(`branch refs/heads/${s.branch}\n`)) {
        if (w.how !== "ancestor") {
          // Integrated by patch or tree, not by ancestry: keep the commits reachable anyway (cheap insurance).
          const ref = `refs/braid/backup/${s.name}/${stamp()}`;
          await git(["update-ref", ref, `refs/heads/${s.branch}`], { cwd });
          entry.backupRefs.push(ref);
        }
        entry.branchDeleted = (await git(["branch", "-D", "--", s.branch], { cwd, okCodes: [0, 1] })).code === 0;
      }
    }
    report.removed.push(entry);
    report.reclaimedBytes += entry.reclaimedBytes;
  }
  return report;
}
