/**
 * Cost and resources for session views: fills `tokens`, `costUsd`, `cpuPercent`, `rssBytes` and the context
 * window's use (`contextUsed`, `contextWindow`, `contextPercent`).
 * `braid status --json` and the board both call this on the views they built.
 */
import type { ProjectContext } from "../project/context.js";
import { sessionContextUse } from "./context.js";
import { sessionCost } from "./cost.js";
import { ResourceSampler } from "./resources.js";
import type { SessionView } from "./types.js";

/** Keep one sampler per long-running caller (the board) so CPU is measured between refreshes. */
export function addCostAndResources(
  ctx: ProjectContext,
  views: SessionView[],
  pids: Map<string, number | null>,
  sampler: ResourceSampler = new ResourceSampler(),
): SessionView[] {
  const records = new Map(ctx.store.sessions().map((r) => [r.name, r]));
  const roots = [...pids.values()].filter((p): p is number => typeof p === "number");
  const res = sampler.sample(roots);
  return views.map((v) => {
    const record = records.get(v.name);
    const cost = record ? sessionCost(ctx, record) : null;
    const pid = pids.get(v.name);
    const r = typeof pid === "number" ? res.get(pid) : undefined;
    const context = record ? sessionContextUse(ctx, record, v.agent) : null;
    return {
      ...v,
      tokens: cost?.tokens ?? v.tokens,
      costUsd: cost?.costUsd ?? v.costUsd,
      cpuPercent: r?.cpuPercent ?? v.cpuPercent,
      rssBytes: r?.rssBytes ?? v.rssBytes,
      contextUsed: context?.used ?? null,
      contextWindow: context?.window ?? null,
      contextPercent: context?.percent ?? null,
    };
  });
}
