/** The board's real data: registry, session views, cost and resources, notes, scaling advice. */
import { basename } from "node:path";
import type { ProjectContext } from "../../project/context.js";
import { addCostAndResources } from "../../session/figures.js";
import { ResourceSampler } from "../../session/resources.js";
import type { SessionView } from "../../session/types.js";
import { listAll } from "../../worktree/list.js";
import type { SlowFigures, SourceLoaders } from "./source.js";
import { viewFromRecord } from "./source.js";

/** Views with git figures from `braid ls`'s worktree scan (one status per worktree, in parallel). */
async function sessionViews(ctx: ProjectContext): Promise<SessionView[]> {
  const records = ctx.store.sessions();
  const infos = await listAll(ctx);
  return records.map((r) => {
    const w = infos.find((i) => i.path === r.path);
    return {
      ...viewFromRecord(r),
      ahead: w?.ahead ?? null,
      behind: w?.behind ?? null,
      changedFiles: w?.changedFiles ?? null,
    };
  });
}

export function realLoaders(ctx: ProjectContext): SourceLoaders {
  const sampler = new ResourceSampler();
  return {
    project: basename(ctx.project.mainWorktree),
    limit: ctx.config.max_code_sessions,
    records: () => ctx.store.sessions(),
    slow: async (): Promise<SlowFigures> => {
      const views = await sessionViews(ctx);
      const pids = new Map<string, number | null>();
      return {
        views: addCostAndResources(ctx, views, pids, sampler),
        recommendation: null,
        notes: [],
      };
    },
  };
}
