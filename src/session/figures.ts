/**
 * Cost and resources for session views: fills `tokens`, `costUsd`, `cpuPercent` and `rssBytes`.
 * `braid status` and the board call this on the views `listSessionViews` built.
 */
import type { ProjectContext } from "../project/context.js";
import { sessionCost } from "./cost.js";
import { ResourceSampler } from "./resources.js";
import { isActive, readAgentPid, runtimeOf } from "./runtime.js";
import type { SessionView } from "./types.js";

/**
 * CPU needs two samples: long-running callers (the board, status --watch) pass one sampler across refreshes;
 * a one-shot caller gets memory now and CPU null (or use `measureTrees` first).
 */
export function addCostAndResources(
  ctx: ProjectContext,
  views: SessionView[],
  sampler: ResourceSampler = new ResourceSampler(),
): SessionView[] {
  const records = new Map(ctx.store.sessions().map((r) => [r.name, r]));
  const pids = new Map<string, number>();
  for (const r of records.values()) {
    const rt = runtimeOf(r);
    const pid = rt && isActive(r.status) ? readAgentPid(ctx.project.stateDir, r.name, rt.runId) : null;
    if (pid) pids.set(r.name, pid);
  }
  const res = sampler.sample([...pids.values()]);
  return views.map((v) => {
    const record = records.get(v.name);
    const cost = record ? sessionCost(ctx, record) : null;
    const pid = pids.get(v.name);
    const r = pid ? res.get(pid) : undefined;
    return {
      ...v,
      tokens: cost?.tokens ?? v.tokens,
      costUsd: cost?.costUsd ?? v.costUsd,
      cpuPercent: r?.cpuPercent ?? v.cpuPercent,
      rssBytes: r?.rssBytes ?? v.rssBytes,
    };
  });
}
