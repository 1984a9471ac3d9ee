/** Talking to a running session: type into it, or attach a terminal to it (through its runner). */
import { spawnSync } from "node:child_process";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import type { AttachPlan, RunRef } from "../runtime/runner.js";
import { runnerFor } from "../runtime/runners.js";
import { reconcile } from "./cascade.js";
import { queuedError } from "./control.js";

export type { AttachPlan } from "../runtime/runner.js";

/** The session's live run, or a one-line error saying why there is none. */
async function liveRun(ctx: ProjectContext, name: string): Promise<RunRef> {
  await reconcile(ctx);
  const rec = ctx.store.require(name);
  const rt = runtimeOf(rec);
  if (!isActive(rec.status) || !rt) {
    const why = rt?.detail ? `: ${rt.detail}` : "";
    if (rec.status === "failed")
      throw new BraidError(
        `session "${name}" failed${why}`,
        `see its last output with \`braid logs ${name}\`, then \`braid restart ${name}\``,
      );
    if (rec.status === "lost")
      throw new BraidError(
        `session "${name}" is lost: its tmux server is gone`,
        `bring it back in its conversation with \`braid restart ${name}\` (or \`braid restart --all\`)`,
      );
    if (rec.status === "queued") throw queuedError(name, "is queued, not running yet");
    throw new BraidError(
      `session "${name}" is not running (${rec.status})`,
      `start it with \`braid start ${name}\` or \`braid restart ${name}\``,
    );
  }
  return { ctx, name, rt };
}

/** Type `text` literally into the session's agent, then Enter. */
export async function sendToSession(ctx: ProjectContext, name: string, text: string): Promise<void> {
  const run = await liveRun(ctx, name);
  await runnerFor(run.rt).sendText(run, text);
}

export async function attachPlan(ctx: ProjectContext, name: string): Promise<AttachPlan> {
  const run = await liveRun(ctx, name);
  return runnerFor(run.rt).attach(run);
}

/** Run the plan's program attached to this terminal; returns its exit code. */
export function runAttach(plan: AttachPlan): number {
  if (!plan.inside && !process.stdin.isTTY)
    throw new BraidError(
      "attach needs a terminal (stdin is not a TTY)",
      "run `braid attach` from an interactive shell",
    );
  const env = { ...process.env };
  for (const k of plan.unsetEnv) delete env[k];
  const [bin, ...args] = plan.argv;
  const r = spawnSync(bin as string, args, { stdio: "inherit", env });
  if (r.error) throw new BraidError(`${bin} could not attach: ${r.error.message}`, `check \`${bin} -V\` works`);
  return r.status ?? 1;
}
