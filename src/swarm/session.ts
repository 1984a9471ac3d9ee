/** The entry point until `braid start --mode swarm` lands: make sure the session exists, then run the swarm. */
import { requireAgentProgram } from "../agents/invoke.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { createWorktree } from "../worktree/create.js";
import { swarmOptionsOf } from "./launch.js";
import type { SwarmRecord } from "./record.js";
import { runSwarm, type SwarmOptions } from "./run.js";

/** Create session NAME (worktree + branch) if it does not exist yet, then run the swarm in it. */
export async function startSwarmSession(
  ctx: ProjectContext,
  opts: SwarmOptions & { base?: string },
): Promise<SwarmRecord> {
  if (!opts.task.trim()) throw new BraidError("the swarm task is empty", "say what the swarm should build");
  requireAgentProgram(opts.agent ?? ctx.store.get(opts.name)?.agent ?? ctx.config.agent, ctx.config.agents);
  const existing = ctx.store.get(opts.name);
  if (existing && isActive(existing.status)) {
    throw new BraidError(
      `session "${opts.name}" has an agent running (${existing.status}); a swarm would work under its feet`,
      `stop it first (braid stop ${opts.name}) or pick another session name`,
    );
  }
  if (!existing) {
    await createWorktree(ctx, { name: opts.name, task: opts.task, type: "implementation", base: opts.base });
  }
  return runSwarm(ctx, opts);
}

/** Run the swarm of a session started with `braid start NAME TASK --mode swarm` (task and sizes from its record). */
export async function runSwarmSession(
  ctx: ProjectContext,
  name: string,
  onProgress?: (rec: SwarmRecord) => void,
  sandbox?: boolean,
): Promise<SwarmRecord> {
  const rec = ctx.store.require(name);
  const sizes = swarmOptionsOf(rec);
  return runSwarm(ctx, {
    name,
    ...(sandbox ? { sandbox } : {}),
    task: rec.task ?? "",
    ...(rec.agent ? { agent: rec.agent } : {}),
    ...(sizes.executors ? { executors: sizes.executors } : {}),
    ...(sizes.architects ? { architects: sizes.architects } : {}),
    ...(sizes.rounds ? { rounds: sizes.rounds } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
}
