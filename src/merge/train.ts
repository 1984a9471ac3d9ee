/**
 * The merge train: merges sessions into the base branch one at a time in cascade order, in a scratch
 * integration worktree (kept warm between trains), running the verify command after each step. The base then moves over the steps that
 * passed (with `atomic`: only when all passed), in one `git update-ref <ref> <new> <old>` (so a base moved
 * meanwhile is detected), and checkouts of the base follow it keeping their uncommitted edits, or the base
 * stays where it was. One train at a time per repository (a lock).
 */

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tipsReached } from "../git/batch.js";
import { branchExists } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
import { type LockOwner, withLock, writeFileAtomic } from "../infra/fsutil.js";
import { mapLimit } from "../infra/pool.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { fetchRemoteSessions } from "../session/remote.js";
import { resolveBase } from "../worktree/create.js";
import { baseCheckouts, type CheckoutBlock, checkCatchUp } from "./checkouts.js";
import {
  clearTrainRecord,
  createIntegration,
  fastForwardCheckout,
  integrationPath,
  mergeDir,
  type RecoveryNote,
  readTrainRecord,
  recoverIntegration,
  writeTrainRecord,
} from "./integration.js";
import { notifyMerged } from "./notify.js";
import { type HandBack, handBack } from "./resolve.js";
import { type Candidate, checkSession, isRefusal, MERGEABLE_STATES, type Refusal, repoFacts } from "./select.js";
import { integrateStep, type Strategy } from "./steps.js";
import { canStepWithoutCheckout, treeStep } from "./tree-step.js";
import { runVerify } from "./verify.js";
import { commitWip, type WipCommit } from "./wip.js";

/** What the train records on each session it merged (`ext.merge`). */
interface MergeInfo {
  mergedAt: string;
  into: string;
  commit: string;
  strategy: Strategy;
}

declare module "../project/state.js" {
  interface SessionExt {
    merge?: MergeInfo;
  }
}

export interface TrainOptions {
  names?: string[];
  strategy?: Strategy;
  verify?: string;
  dryRun?: boolean;
  /** Move the base only when every step passed (default: over the steps that passed, up to a stop). */
  atomic?: boolean;
  /** Commit leftover uncommitted work of done/idle sessions first (see wip.ts). */
  commitWip?: boolean;
  /** On a stop, send the stopped session's agent a prompt to merge the base and resolve it (see resolve.ts). */
  resolve?: boolean;
  /** Called as each step finishes (the CLI prints progress). */
  onStep?: (step: StepReport) => void;
  /** When another train holds the lock, wait up to this long for it (default 0: fail at once). */
  waitMs?: number;
  /** Called once when the train starts waiting for another one (the CLI says so). */
  onWait?: (holder: TrainHolder | null, waitMs: number) => void;
}

/** The train holding the lock, as far as it told (`merge/train.owner`, else its train record). */
export interface TrainHolder {
  pid: number;
  startedAt: string;
  /** Base it merges into and the sessions it picked (before any wait of its own). */
  baseRef?: string;
  names?: string[];
}

export interface StepReport {
  name: string;
  branch: string;
  /** Integration HEAD after this step. */
  commit: string;
  empty: boolean;
  verifyMs: number | null;
}

import type { TrainStop } from "./steps.js";

export type { TrainStop };

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
  /** Sessions not merged, with why (`uncommitted`: left out for uncommitted work, that many files). */
  notMerged: Array<{ name: string; reason: string; uncommitted?: number }>;
  /** With `commitWip`: sessions whose leftover work was committed (or why not). */
  committedWip: WipCommit[];
  stoppedAt: TrainStop | null;
  /** Kept for inspection after a stop; null otherwise. */
  integrationWorktree: string | null;
  checkouts: Array<{ path: string; updated: boolean; reason: string }>;
  recovered: RecoveryNote[];
  notified: string[];
  /** A checkout of the base that could not follow without touching the user's edits: the base was not moved. */
  checkoutBlocked: CheckoutBlock | null;
  /** With `resolve`: whether the stopped session's agent got the prompt. */
  handedBack: HandBack | null;
}

/** Brief: a second train fails fast and says who holds the lock (withLock retries ~every 25-100 ms). */
const LOCK_WAIT_MS = 250;
/** While waiting (--wait): how often to look again at who holds the lock. */
const WAIT_SLICE_MS = 2_000;

function ownerPath(ctx: ProjectContext): string {
  return join(mergeDir(ctx), "train.owner");
}

/** Who holds the train lock: the owner file the holder writes on taking it, else its train record. */
export function trainHolder(ctx: ProjectContext): TrainHolder | null {
  try {
    const o = JSON.parse(readFileSync(ownerPath(ctx), "utf8")) as TrainHolder;
    if (typeof o.pid === "number") return o;
  } catch {
    /* no owner file (a train from before it existed, or between taking the lock and writing it) */
  }
  const rec = readTrainRecord(ctx);
  return rec ? { pid: rec.pid, startedAt: rec.startedAt, baseRef: rec.baseRef } : null;
}

/** The lock's owner (pid, since) merged with what that train wrote about itself, when it is the same train. */
function holderOf(ctx: ProjectContext, owner: LockOwner | null): TrainHolder | null {
  const told = trainHolder(ctx);
  if (!owner) return told;
  return told?.pid === owner.pid ? told : { pid: owner.pid, startedAt: owner.since };
}

/**
 * Hold the train lock (fsutil's: a killed train's lock is taken over at once, a living one never). Without
 * `waitMs` a held lock fails at once naming the holder's pid; with it, the train waits (saying once for
 * whom) until the lock is free.
 */
async function withTrainLock<T>(
  ctx: ProjectContext,
  me: { baseRef: string; names: string[] },
  wait: { ms: number; onWait?: TrainOptions["onWait"] },
  fn: (waited: boolean) => Promise<T>,
): Promise<T> {
  const lockTarget = join(mergeDir(ctx), "train");
  const deadline = Date.now() + wait.ms;
  let waiting = false;
  let entered = false;
  const held = async (): Promise<T> => {
    entered = true;
    const owner: TrainHolder = { pid: process.pid, startedAt: new Date().toISOString(), ...me };
    writeFileAtomic(ownerPath(ctx), `${JSON.stringify(owner)}\n`);
    try {
      return await fn(waiting);
    } finally {
      if (trainHolder(ctx)?.pid === process.pid) rmSync(ownerPath(ctx), { force: true });
    }
  };
  for (;;) {
    try {
      const timeoutMs = waiting ? Math.max(0, Math.min(WAIT_SLICE_MS, deadline - Date.now())) : LOCK_WAIT_MS;
      return await withLock(lockTarget, held, {
        timeoutMs,
        maxRetryMs: waiting ? 250 : 100,
        what: "the merge train",
        onWait: () => undefined, // this loop says once whom it waits for (onWait below)
      });
    } catch (e) {
      // ELOCKED from inside the train (another lock it takes) is that lock's business, not contention here.
      if (entered || (e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
      const holder = holderOf(ctx, (e as { holder?: LockOwner | null }).holder ?? null);
      const who = holder ? ` (pid ${holder.pid}, since ${holder.startedAt})` : "";
      if (wait.ms <= 0) {
        throw new BraidError(
          `another merge train is running${who}`,
          "wait for it to finish (or `braid merge --wait`), then run braid merge again",
        );
      }
      if (Date.now() >= deadline) {
        throw new BraidError(
          `another merge train is still running after waiting ${Math.round(wait.ms / 1000)} s${who}`,
          "wait longer with --wait SECONDS, or run braid merge again once it is done",
        );
      }
      if (!waiting) wait.onWait?.(holder, wait.ms);
      waiting = true;
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
  const select = async () => {
    const sel = await selectSessions(ctx, opts.names);
    const base = sel.picked[0]?.baseRef ?? (await resolveBase(ctx)).ref;
    if (!(await branchExists(cwd, base))) {
      throw new BraidError(`base "${base}" is not a local branch`, "the merge train only advances local branches");
    }
    return { ...sel, baseRef: base };
  };
  const first = await select();
  const me = { baseRef: first.baseRef, names: first.picked.map((s) => s.name) };
  const wait = { ms: opts.waitMs ?? 0, onWait: opts.onWait };
  const report = await withTrainLock(ctx, me, wait, async (waited) => {
    // After waiting for another train the sessions may have changed (merged, removed, newly done): look again.
    const { picked, named, baseRef } = waited ? await select() : first;
    const recovered = await recoverIntegration(ctx);
    // sessions on hosts: their branch and uncommitted work come here first (refs/braid/remote*, local branch)
    const remoteNames = picked.filter((s) => remoteOf(s)).map((s) => s.name);
    const unreachableHosts = remoteNames.length
      ? new Set((await fetchRemoteSessions(ctx, remoteNames)).unreachable)
      : new Set<string>();
    const committedWip: WipCommit[] = [];
    if (opts.commitWip && !opts.dryRun) {
      for (const s of picked) {
        const w = await commitWip(ctx, s);
        if (w) committedWip.push(w);
      }
    }
    const oldBase = (await resolveBase(ctx, baseRef)).commit;
    const notMerged: TrainReport["notMerged"] = [];
    const candidates: Candidate[] = [];
    const refusals: Refusal[] = [];
    // The checks are mostly one `git status` per worktree: run them side by side.
    const facts = await repoFacts(cwd, oldBase);
    const checked = await mapLimit(picked, 4, (s): Promise<Candidate | Refusal> => {
      const host = remoteOf(s)?.host;
      if (host && unreachableHosts.has(host))
        return Promise.resolve({
          name: s.name,
          reason: `runs on host ${host}, which is not answering`,
          fix: `check the host (braid host check ${host}), then merge again`,
        });
      return checkSession(s, baseRef, facts, cwd);
    });
    for (const c of checked) {
      if (isRefusal(c)) refusals.push(c);
      else if (!c.ahead)
        notMerged.push({ name: c.session.name, reason: "nothing to merge (no commits ahead of base)" });
      else candidates.push(c);
    }
    if (named && refusals[0]) {
      const r = refusals[0];
      throw new BraidError(`cannot merge ${r.name}: it ${r.reason}`, r.fix);
    }
    for (const r of refusals)
      notMerged.push({ name: r.name, reason: r.reason, ...(r.uncommitted ? { uncommitted: r.uncommitted } : {}) });

    const report: TrainReport = {
      baseRef,
      oldBase,
      newBase: oldBase,
      moved: false,
      dryRun: Boolean(opts.dryRun),
      strategy,
      merged: [],
      notMerged,
      committedWip,
      stoppedAt: null,
      integrationWorktree: null,
      checkouts: [],
      recovered,
      notified: [],
      checkoutBlocked: null,
      handedBack: null,
    };
    if (candidates.length === 0) return report;

    // Nothing to run in the merged tree: steps are merged without a checkout (tree-step.ts) until one does
    // not merge cleanly; that one (and any after it) runs in the integration worktree as before.
    const wtPath = integrationPath(ctx);
    let wt: string | null =
      verify || !canStepWithoutCheckout(strategy) ? await createIntegration(ctx, oldBase, wtPath, recovered) : null;
    const record = { pid: process.pid, startedAt: new Date().toISOString(), baseRef, oldBase, worktree: wt ?? wtPath };
    writeTrainRecord(ctx, { ...record, phase: "merging" });
    // Without verify the steps take a moment: look at the checkouts of the base meanwhile (the final read-tree
    // refuses a change made since, and the ref then goes back, as for a change after the look).
    const early = verify ? null : settle(baseCheckouts(cwd, baseRef, wtPath));
    let stop: TrainStop | null = null;
    let current = oldBase;
    // Which tips contain which (one rev-list for all): the base contains none of them (they are ahead), so a tip
    // is already in `current` only through a tip merged before it; squash steps never make a tip an ancestor.
    const reached = wt
      ? null
      : await tipsReached(
          cwd,
          candidates.map((c) => c.tip),
          oldBase,
        ).catch(() => null);
    const inCurrent = new Set<string>();
    const containedNow = (tip: string): boolean | undefined => {
      if (!reached) return undefined;
      if (strategy === "squash") return false;
      return inCurrent.has(tip) || [...inCurrent].some((t) => reached.get(t)?.has(tip));
    };
    for (const c of candidates) {
      const s = c.session;
      const message = `braid: ${strategy} ${s.name} (${s.branch})`;
      let step = wt ? null : await treeStep(cwd, current, c.tip, strategy, message, containedNow(c.tip));
      if (!step) {
        if (!wt) {
          wt = await createIntegration(ctx, current, wtPath, recovered);
          // (beside the kept one when what was left in that could not be backed up: a killed train removes this one)
          if (wt !== record.worktree) writeTrainRecord(ctx, { ...record, worktree: wt, phase: "merging" });
          record.worktree = wt;
        }
        step = await integrateStep(wt, c.tip, strategy, message);
      }
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
      if (verify && wt) {
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
      inCurrent.add(c.tip);
      const rep = { name: s.name, branch: s.branch, commit: step.head, empty: step.empty, verifyMs };
      report.merged.push(rep);
      opts.onStep?.(rep);
    }

    if (stop) {
      report.stoppedAt = stop;
      report.integrationWorktree = wt ?? wtPath;
      const rest = candidates.slice(report.merged.length);
      for (const c of rest)
        report.notMerged.push({ name: c.session.name, reason: c === rest[0] ? stop.reason : "after the stop" });
    }
    // The integration worktree stays (warm for the next train, which moves it on by checkout; see integration.ts).
    const finish = async () => {
      await early; // no git of this train still running when it returns
      clearTrainRecord(ctx);
      return report;
    };
    // Default: land the verified prefix; --atomic: all or nothing.
    if (opts.dryRun || current === oldBase || (stop && opts.atomic)) return finish();

    // Every checkout of the base must be able to follow the ref the way `git checkout` would, or the ref stays.
    const checkouts = early ? unwrap(await early) : await baseCheckouts(cwd, baseRef, wtPath);
    for (const c of checkouts) {
      const block = await checkCatchUp(c, oldBase, current);
      if (block) {
        report.checkoutBlocked = block;
        return finish();
      }
    }
    writeTrainRecord(ctx, { ...record, phase: "advanced", newBase: current, checkouts: checkouts.map((c) => c.path) });
    const names = report.merged.map((m) => m.name).join(", ");
    const moved = await moveRef(cwd, baseRef, current, oldBase, `braid merge: ${names}`);
    if (!moved) {
      writeTrainRecord(ctx, { ...record, phase: "merging" });
      report.stoppedAt = {
        name: report.merged.at(-1)?.name ?? "",
        reason: "base-moved",
        conflictFiles: [],
        output: `${baseRef} moved while the train ran; nothing was changed`,
      };
      clearTrainRecord(ctx);
      return report;
    }
    const followed: string[] = [];
    for (const c of checkouts) {
      if (await fastForwardCheckout(c.path, oldBase, current)) {
        followed.push(c.path);
        report.checkouts.push({
          path: c.path,
          updated: true,
          reason: c.dirty?.length
            ? `updated, your ${c.dirty.length} uncommitted change${c.dirty.length === 1 ? "" : "s"} kept`
            : "fast-forwarded",
        });
        continue;
      }
      // Changed between the check and now: put the ref back (its index still matches the old commit).
      const back = await moveRef(cwd, baseRef, oldBase, current, "braid merge: undone, a checkout could not follow");
      const after = await baseCheckouts(cwd, baseRef, wtPath);
      report.checkoutBlocked = (await checkCatchUp(after.find((a) => a.path === c.path) ?? c, oldBase, current)) ?? {
        path: c.path,
        files: [],
        error: "its files changed while the train ran",
      };
      if (back) {
        // the checkouts that did follow go back with the ref, so none disagrees with HEAD
        for (const p of followed) await fastForwardCheckout(p, current, oldBase);
        clearTrainRecord(ctx);
        report.checkouts = [];
        return finish();
      }
      report.checkouts.push({ path: c.path, updated: false, reason: "could not follow and the base moved again" });
    }
    report.moved = true;
    report.newBase = current;
    await finish();

    const mergedAt = new Date().toISOString();
    // One write for all (inside the state lock: what another command wrote since the train read it is kept).
    const mergedSet = new Set(report.merged.map((m) => m.name));
    await ctx.store.update((d) => {
      for (const s of d.sessions)
        if (mergedSet.has(s.name)) s.ext = { ...s.ext, merge: { mergedAt, into: baseRef, commit: current, strategy } };
    });
    const mergedNames = report.merged.map((m) => m.name);
    const others = ctx.store
      .sessions()
      .filter((s) => !mergedNames.includes(s.name) && s.baseRef === baseRef)
      .filter((s) => (s.type ?? "implementation") === "implementation") // only sessions with a branch to update
      .map((s) => s.name);
    if (others.length && (await notifyMerged(ctx, mergedNames, baseRef, others))) report.notified = others;
    // the base moved: spares of the pool are refreshed to its tip in the background, not on the next `new`
    if (ctx.config.pool > 0) (await import("../worktree/pool.js")).fillInBackground(ctx);
    return report;
  });
  // Only now, with the base where it stays: the agent merges exactly what the next train starts from.
  if (opts.resolve && report.stoppedAt)
    report.handedBack = await handBack(ctx, report.stoppedAt, report.baseRef, verify);
  return report;
}

/** A promise that never rejects (its failure is kept for `unwrap`), so it can wait unobserved. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (r.ok) return r.value;
  throw r.error;
}

/** `git update-ref` with compare-and-swap: false when the ref is no longer at `expected`. */
async function moveRef(cwd: string, baseRef: string, to: string, expected: string, why: string): Promise<boolean> {
  return new Repo(cwd).moveRef(`refs/heads/${baseRef}`, to, expected, { reason: why });
}
