/**
 * Before a destructive step (rm, clean) decides anything about a session's work, its agent must be gone:
 * an agent still running could commit between the check and the removal. Stops it through the normal stop
 * path and waits until its processes have really exited.
 */
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import { runnerFor } from "../runtime/runners.js";
import { stopSession } from "./control.js";

/** Stop the session's agent (if running) and wait for its processes to exit. Returns whether it was running. */
export async function quiesceSession(ctx: ProjectContext, name: string): Promise<boolean> {
  const rec = ctx.store.get(name);
  if (!rec) return false;
  // Only a run the registry calls live: an old run's pid may belong to an unrelated process by now.
  if (!isActive(rec.status) && rec.status !== "queued") return false;
  const rt = runtimeOf(rec);
  await stopSession(ctx, name);
  if (rt) await runnerFor(rt).waitGone({ ctx, name, rt });
  return true;
}
