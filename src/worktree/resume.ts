/**
 * Sessions a killed `braid new`/`start` left pending (see SessionRecord.pending): a half-made checkout is
 * rolled back (never adopted), a checkout whose bootstrap did not finish gets its bootstrap again.
 */
import { BraidError } from "../infra/errors.js";
import { ownerAlive } from "../infra/fsutil.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { rollback } from "./create.js";

export type PendingAction = "none" | "rolled-back" | "bootstrap";

/** True when a pending session's maker is gone (its work will never finish by itself). */
export function pendingAbandoned(rec: SessionRecord): boolean {
  const p = rec.pending;
  return Boolean(p) && !ownerAlive({ pid: p?.pid ?? 0, start: p?.start ?? null, host: p?.host ?? "", since: "" });
}

/**
 * Deal with what a killed maker left of session `name`: "rolled-back" (the half checkout and its record are
 * gone: create it again), "bootstrap" (the checkout is whole: run the bootstrap, then `finishPending`), or
 * "none". A maker still running is an error naming its pid.
 */
export async function resumePending(ctx: ProjectContext, name: string): Promise<PendingAction> {
  const rec = ctx.store.get(name);
  if (!rec?.pending) return "none";
  if (!pendingAbandoned(rec))
    throw new BraidError(
      `session "${name}" is still being created by pid ${rec.pending.pid}`,
      "wait for that command to finish, then run this again",
    );
  if (rec.pending.step === "bootstrap") return "bootstrap";
  await rollbackPending(ctx, rec);
  return "rolled-back";
}

/** Remove a half-made checkout and its registry entry. */
export async function rollbackPending(ctx: ProjectContext, rec: SessionRecord): Promise<void> {
  await rollback(ctx.project.mainWorktree, {
    path: rec.path,
    branch: rec.branch,
    reuseBranch: rec.createdBranch === false,
    baseCommit: rec.baseCommit,
  });
  await ctx.store.update((d) => {
    d.sessions = d.sessions.filter((s) => !(s.name === rec.name && s.pending));
  });
}

/** The bootstrap finished: the session is complete. */
export async function finishPending(ctx: ProjectContext, name: string): Promise<SessionRecord | undefined> {
  return ctx.store.update((d) => {
    const r = d.sessions.find((s) => s.name === name);
    if (r) delete r.pending;
    return r;
  });
}
