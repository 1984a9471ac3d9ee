/** The entry point until `braid start --mode swarm` lands: make sure the session exists, then run the swarm. */
import { BraidError } from "../errors.js";
import type { ProjectContext } from "../project/context.js";
import { createWorktree } from "../worktree/create.js";
import type { SwarmRecord } from "./record.js";
import { runSwarm, type SwarmOptions } from "./run.js";

/** Create session NAME (worktree + branch) if it does not exist yet, then run the swarm in it. */
export async function startSwarmSession(
  ctx: ProjectContext,
  opts: SwarmOptions & { base?: string },
): Promise<SwarmRecord> {
  if (!opts.task.trim()) throw new BraidError("the swarm task is empty", "say what the swarm should build");
  if (!ctx.store.get(opts.name)) {
    await createWorktree(ctx, { name: opts.name, task: opts.task, type: "implementation", base: opts.base });
  }
  return runSwarm(ctx, opts);
}
