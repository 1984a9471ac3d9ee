/**
 * Before a destructive step (rm, clean) decides anything about a session's work, its agent must be gone:
 * an agent still running could commit between the check and the removal. Stops it through the normal stop
 * path and waits until its processes have really exited.
 */
import { BraidError } from "../infra/errors.js";
import { pidAlive } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { stopSession } from "./control.js";
import { readAgentPid, runtimeOf } from "./runtime.js";

const EXIT_WAIT_MS = 15_000;

/** Stop the session's agent (if running) and wait for its processes to exit. Returns whether it was running. */
export async function quiesceSession(ctx: ProjectContext, name: string): Promise<boolean> {
  const rec = ctx.store.get(name);
  if (!rec) return false;
  // Only a run the registry calls live: an old run's pid may belong to an unrelated process by now.
  if (!isActive(rec.status) && rec.status !== "queued") return false;
  const rt = runtimeOf(rec);
  const pids = rt
    ? [readAgentPid(ctx.project.stateDir, name, rt.runId), rt.wrapperPid].filter((p): p is number => Boolean(p))
    : [];
  await stopSession(ctx, name);
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (;;) {
    const alive = pids.filter(pidAlive);
    if (alive.length === 0) return true;
    if (Date.now() > deadline)
      throw new BraidError(
        `the agent of session "${name}" (pid ${alive.join(", ")}) did not exit after being stopped`,
        `kill it (kill -9 ${alive.join(" ")}) and run the command again`,
      );
    if (Date.now() > deadline - EXIT_WAIT_MS / 2) for (const p of alive) kill(p);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
}
