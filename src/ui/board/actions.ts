/** What the board's keys do, bound to braid's domain modules. Each returns a one-line outcome for the footer. */
import { postNote } from "../../coord/post.js";
import { BraidError } from "../../infra/errors.js";
import { runTrain, type TrainReport } from "../../merge/train.js";
import type { ProjectContext } from "../../project/context.js";
import { startSession, stopSession } from "../../session/control.js";
import { attachPlan, runAttach, sendToSession } from "../../session/interact.js";
import type { BoardActions } from "./App.js";

/** The merge train's outcome for one session, in one line. */
export function mergeOutcome(name: string, r: TrainReport): string {
  if (r.stoppedAt) {
    const s = r.stoppedAt;
    const files = s.conflictFiles.length ? `: ${s.conflictFiles.slice(0, 3).join(", ")}` : "";
    return `✘ ${name} not merged — ${s.reason}${files}${r.integrationWorktree ? ` (kept in ${r.integrationWorktree})` : ""}`;
  }
  if (r.checkoutBlocked) {
    const b = r.checkoutBlocked;
    const what = b.files.length ? `your uncommitted changes to ${b.files.slice(0, 3).join(", ")}` : b.error;
    return `✘ ${name} not merged — ${r.baseRef} not moved: ${what} in ${b.path} (commit or stash them)`;
  }
  const skipped = r.notMerged.find((n) => n.name === name);
  if (skipped) return `✘ ${name} not merged — ${skipped.reason}`;
  if (r.merged.some((m) => m.name === name) && r.moved) {
    return `✔ merged ${name} into ${r.baseRef} (${r.newBase.slice(0, 7)})`;
  }
  return `${name}: nothing to merge into ${r.baseRef}`;
}

export function realActions(ctx: ProjectContext): BoardActions {
  return {
    async create(name, type, task) {
      if (!name) throw new BraidError("a session needs a name", "press n again and type one");
      const r = await startSession(ctx, { name, type, task: task || undefined });
      return r.queued
        ? `${name} queued (#${r.queuePosition}): the cascade is full`
        : `started ${name} (${type}) on ${r.record.branch}`;
    },
    async send(session, text) {
      await sendToSession(ctx, session, text);
      return `sent to ${session}`;
    },
    async merge(session) {
      return mergeOutcome(session, await runTrain(ctx, { names: [session] }));
    },
    async stop(session) {
      const r = await stopSession(ctx, session);
      return r.stopped ? `stopped ${session} (its worktree stays)` : `${session} was not running (${r.was})`;
    },
    async postNote(text, to) {
      const n = await postNote(ctx, { text, to: to ?? "all", from: "user" });
      return `note #${n.id} posted to ${n.to}`;
    },
  };
}

/**
 * Attach this terminal to the session's tmux window until the user detaches. A board inside the same tmux
 * server switches its client instead (and comes back at once). A board inside another tmux server attaches
 * a nested client: TMUX is cleared for that one command, as tmux requires.
 */
export async function attachJob(ctx: ProjectContext, session: string): Promise<string | null> {
  const plan = await attachPlan(ctx, session);
  const status = runAttach(plan);
  if (plan.inside) return `switched to ${plan.target} — switch back to this window for the board`;
  return status === 0 ? `back from ${session}` : `${plan.argv[0]} attach exited ${status}`;
}
