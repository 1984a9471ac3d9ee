/**
 * The merge train: merges sessions into the base branch one at a time in cascade order, in a scratch
 * integration worktree, running the verify command after each step. Only when every step passed does
 * the base ref move, in one `git update-ref <ref> <new> <old>` (so a base moved meanwhile is detected
 * and nothing is half-applied). One train at a time per repository (a lock).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../errors.js";
import { withLock } from "../fsutil.js";
import { git } from "../git/git.js";
import { branchExists } from "../git/refs.js";
import { listWorktrees } from "../git/worktrees.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";
import { pidAlive } from "../session/runtime.js";
import { resolveBase } from "../worktree/create.js";
import {
  clearTrainRecord,
  createIntegration,
  fastForwardCheckout,
  mergeDir,
  type RecoveryNote,
  readTrainRecord,
  recoverIntegration,
  removeWorktree,
  writeTrainRecord,
} from "./integration.js";
import { notifyMerged } from "./notify.js";
import { type Candidate, checkSession, isRefusal, MERGEABLE_STATES, type Refusal } from "./select.js";
import { integrateStep, type Strategy } from "./steps.js";
import { runVerify } from "./verify.js";

export interface TrainOptions {
  names?: string[];
  strategy?: Strategy;
  verify?: string;
  dryRun?: boolean;
  /** Called as each step finishes (the CLI prints progress). */
  onStep?: (step: StepReport) => void;
}

export interface StepReport {
  name: string;
  branch: string;
  /** Integration HEAD after this step. */
  commit: string;
  empty: boolean;
  verifyMs: number | null;
}

export interface TrainStop {
  name: string;
  reason: "conflict" | "verify-failed" | "verify-not-found" | "merge-error" | "base-moved";
  conflictFiles: string[];
  /** Tail of the verify output, or git's message. */
  output: string;
}

export interface TrainReport {
  baseRef: string;
  oldBase: string;
  /** Where the base points now (equal to oldBase when it did not move). */
  newBase: string;
  moved: boolean;
  dryRun: boolean;
  strategy: Strategy;
  /** Steps that passed in the integration worktree (merged for real only when `moved`). */
  merged: StepReport[];
  /** Sessions not merged, with why. */
  notMerged: Array<{ name: string; reason: string }>;
  stoppedAt: TrainStop | null;
  /** Kept for inspection after a stop; null otherwise. */
  integrationWorktree: string | null;
  checkouts: Array<{ path: string; updated: boolean; reason: string }>;
  recovered: RecoveryNote[];
  notified: string[];
}

/** Brief: a second train fails fast and says who holds the lock (withLock retries ~every 25-100 ms). */
const LOCK_WAIT_MS = 250;

/** Hold the train lock; a lock left by a killed train (its pid is gone) is taken over. */
async function withTrainLock<T>(ctx: ProjectContext, fn: () => Promise<T>): Promise<T> {
  const lockTarget = join(mergeDir(ctx), "train");
  for (let attempt = 0; ; attempt++) {
    try {
      return await withLock(lockTarget, fn, { timeoutMs: LOCK_WAIT_MS, staleMs: 20_000 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
      const rec = readTrainRecord(ctx);
      if (attempt === 0 && rec && !pidAlive(rec.pid)) {
        rmSync(`${lockTarget}.lock`, { recursive: true, force: true });
        continue;
      }
      throw new BraidError(
        `another merge train is running${rec ? ` (pid ${rec.pid}, since ${rec.startedAt})` : ""}`,
        "wait for it to finish, then run braid merge again",
      );
    }
  }
}

/** Sessions to merge: the named ones (every problem is an error), else done/idle ones (problems are skipped). */
async function selectSessions(
  ctx: ProjectContext,
  names: string[] | undefined,
): Promise<{ picked: SessionRecord[]; named: boolean }> {
  if (names?.length) {
    const picked = names.map((n) => ctx.store.require(n));
    return { picked: [...new Set(picked)].sort((a, b) => a.order - b.order), named: true };
  }
  return { picked: ctx.store.sessions().filter((s) => MERGEABLE_STATES.has(s.status)), named: false };
}

export async function runTrain(ctx: ProjectContext, opts: TrainOptions = {}): Promise<TrainReport> {
  const strategy = opts.strategy ?? "merge";
  const verify = opts.verify ?? ctx.config.verify;
  const cwd = ctx.project.mainWorktree;
  const { picked, named } = await selectSessions(ctx, opts.names);
  const baseRef = picked[0]?.baseRef ?? (await resolveBase(ctx)).ref;
  if (!(await branchExists(cwd, baseRef))) {
    throw new BraidError(`base "${baseRef}" is not a local branch`, "the merge train only advances local branches");
  }

  return withTrainLock(ctx, async () => {
    const recovered = await recoverIntegration(ctx);
    const oldBase = (await resolveBase(ctx, baseRef)).commit;
    const notMerged: TrainReport["notMerged"] = [];
    const candidates: Candidate[] = [];
    const refusals: Refusal[] = [];
    for (const s of picked) {
      const c = await checkSession(ctx, s, baseRef, oldBase);
      if (isRefusal(c)) refusals.push(c);
      else if (c.ahead === 0) notMerged.push({ name: s.name, reason: "nothing to merge (no commits ahead of base)" });
      else candidates.push(c);
    }
    if (named && refusals[0]) {
      const r = refusals[0];
      throw new BraidError(`cannot merge ${r.name}: it ${r.reason}`, r.fix);
    }
    for (const r of refusals) notMerged.push({ name: r.name, reason: r.reason });

    const report: TrainReport = {
      baseRef,
      oldBase,
      newBase: oldBase,
      moved: false,
      dryRun: Boolean(opts.dryRun),
      strategy,
      merged: [],
      notMerged,
      stoppedAt: null,
      integrationWorktree: null,
      checkouts: [],
      recovered,
      notified: [],
    };
    if (candidates.length === 0) return report;

    const wt = await createIntegration(ctx, oldBase);
    const record = { pid: process.pid, startedAt: new Date().toISOString(), baseRef, oldBase, worktree: wt };
    writeTrainRecord(ctx, { ...record, phase: "merging" });
    let stop: TrainStop | null = null;
    let current = oldBase;
    for (const c of candidates) {
      const s = c.session;
      const step = await integrateStep(wt, c.tip, strategy, `braid: ${strategy} ${s.name} (${s.branch})`);
      if (!step.ok) {
        stop = {
          name: s.name,
          reason: step.conflictFiles.length ? "conflict" : "merge-error",
          conflictFiles: step.conflictFiles,
          output: step.error ?? "",
        };
        break;
      }
      let verifyMs: number | null = null;
      if (verify) {
        const v = await runVerify(verify, wt, { BRAID_MERGE_SESSION: s.name });
        verifyMs = v.ms;
        if (!v.ok) {
          stop = {
            name: s.name,
            reason: v.notFound ? "verify-not-found" : "verify-failed",
            conflictFiles: [],
            output: v.notFound ? `verify command not found: ${verify}\n${v.tail}`.trim() : v.tail,
          };
          break;
        }
      }
      current = step.head;
      const rep = { name: s.name, branch: s.branch, commit: step.head, empty: step.empty, verifyMs };
      report.merged.push(rep);
      opts.onStep?.(rep);
    }

    if (stop) {
      report.stoppedAt = stop;
      report.integrationWorktree = wt;
      const rest = candidates.slice(report.merged.length);
      for (const c of rest)
        report.notMerged.push({ name: c.session.name, reason: c === rest[0] ? stop.reason : "after the stop" });
      report.moved = false;
      clearTrainRecord(ctx);
      return report;
    }
    if (opts.dryRun || current === oldBase) {
      await removeWorktree(ctx, wt);
      clearTrainRecord(ctx);
      return report;
    }

    // Checkouts of the base that are clean now get fast-forwarded once the ref moves.
    const holders = (await listWorktrees(cwd)).filter((w) => w.branch === baseRef && w.path !== wt);
    const clean: string[] = [];
    for (const h of holders) {
      const dirty = await statusPaths(h.path).catch(() => null);
      if (dirty && dirty.length === 0) clean.push(h.path);
      else
        report.checkouts.push({
          path: h.path,
          updated: false,
          reason: dirty
            ? `has uncommitted changes: left as is; to catch up keeping them run \`git read-tree -m -u ${oldBase.slice(0, 12)} ${current.slice(0, 12)}\` there`
            : "cannot read its status: left as is",
        });
    }
    writeTrainRecord(ctx, { ...record, phase: "advanced", newBase: current, checkouts: clean });
    const moved = await git(
      [
        "update-ref",
        "-m",
        `braid merge: ${report.merged.map((m) => m.name).join(", ")}`,
        `refs/heads/${baseRef}`,
        current,
        oldBase,
      ],
      { cwd, okCodes: [0, 1, 128] },
    );
    if (moved.code !== 0) {
      writeTrainRecord(ctx, { ...record, phase: "merging" });
      report.stoppedAt = {
        name: report.merged.at(-1)?.name ?? "",
        reason: "base-moved",
        conflictFiles: [],
        output: `${baseRef} moved while the train ran; nothing was changed`,
      };
      report.checkouts = [];
      await removeWorktree(ctx, wt);
      clearTrainRecord(ctx);
      return report;
    }
    report.moved = true;
    report.newBase = current;
    for (const path of clean) {
      const ok = await fastForwardCheckout(path, oldBase, current);
      report.checkouts.push({ path, updated: ok, reason: ok ? "fast-forwarded" : "changed meanwhile: left as is" });
    }
    await removeWorktree(ctx, wt);
    clearTrainRecord(ctx);

    const mergedAt = new Date().toISOString();
    for (const m of report.merged) {
      const s = ctx.store.get(m.name);
      await ctx.store.patch(m.name, {
        ext: { ...(s?.ext ?? {}), merge: { mergedAt, into: baseRef, commit: current, strategy } },
      });
    }
    const mergedNames = report.merged.map((m) => m.name);
    const others = ctx.store
      .sessions()
      .filter((s) => !mergedNames.includes(s.name) && s.baseRef === baseRef)
      .map((s) => s.name);
    if (others.length && (await notifyMerged(ctx, mergedNames, baseRef, others))) report.notified = others;
    return report;
  });
}
