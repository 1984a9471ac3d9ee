/**
 * The guide's scaling guidelines: how much parallelism a repository can take, from its tracked file
 * count. More sessions than this mostly buys merge conflicts and review load.
 */
import { join } from "node:path";
import { indexEntryCount } from "../git/index-file.js";
import { Repo } from "../git/repo.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";

export interface Recommendation {
  trackedFiles: number;
  /** Guide's size label. */
  size: "small" | "medium" | "large" | "very large";
  /** Worktrees (parallel implementation sessions) the guide recommends, as a range. */
  worktrees: { min: number; max: number };
  mode: "standard" | "swarm";
  /** Human text, e.g. "2-3 worktrees, swarm mode". */
  advice: string;
  liveCodeSessions: number;
  maxCodeSessions: number;
  /** min(recommended max, configured max): more live code sessions than this triggers a warning. */
  limit: number;
}

const TIERS = [
  {
    below: 10,
    size: "small",
    worktrees: { min: 1, max: 1 },
    mode: "standard",
    advice: "single session, standard mode",
  },
  { below: 50, size: "medium", worktrees: { min: 1, max: 1 }, mode: "swarm", advice: "single session, swarm mode" },
  { below: 200, size: "large", worktrees: { min: 2, max: 3 }, mode: "swarm", advice: "2-3 worktrees, swarm mode" },
  {
    below: Infinity,
    size: "very large",
    worktrees: { min: 3, max: 4 },
    mode: "swarm",
    advice: "3-4 worktrees, swarm mode",
  },
] as const;

const ENDED = new Set(["done", "failed", "stopped"]);

/** Implementation sessions that still hold a worktree and have not ended. */
export function liveCodeSessions(sessions: SessionRecord[]): number {
  return sessions.filter((s) => s.type === "implementation" && !ENDED.has(s.status)).length;
}

export async function countTrackedFiles(cwd: string): Promise<number> {
  return (await new Repo(cwd).trackedFiles()).length;
}

export function tierFor(trackedFiles: number): (typeof TIERS)[number] {
  return TIERS.find((t) => trackedFiles < t.below) ?? (TIERS[TIERS.length - 1] as (typeof TIERS)[number]);
}

export async function recommend(ctx: ProjectContext): Promise<Recommendation> {
  // The main worktree's index header says how many files are tracked (staged ones included) without a git run.
  const fromIndex = indexEntryCount(join(ctx.project.commonDir, "index"));
  return recommendFor(ctx, fromIndex ?? (await countTrackedFiles(ctx.project.mainWorktree)));
}

/** The over-limit warning for `braid new`, skipping the file count when it cannot matter. */
export async function newSessionWarning(ctx: ProjectContext): Promise<string | null> {
  const live = liveCodeSessions(ctx.store.sessions());
  // Every limit is at least 1, so one live session can never exceed it.
  if (live <= 1) return null;
  // Over the configured maximum the warning does not depend on the repo's size: skip counting its
  // files (a git ls-files of the whole index, tens of ms on a big repo).
  if (live > ctx.config.max_code_sessions) return overLimitWarning(recommendFor(ctx, Number.POSITIVE_INFINITY));
  return overLimitWarning(await recommend(ctx));
}

function recommendFor(ctx: ProjectContext, trackedFiles: number): Recommendation {
  const t = tierFor(trackedFiles);
  const maxCodeSessions = ctx.config.max_code_sessions;
  return {
    trackedFiles,
    size: t.size,
    worktrees: { ...t.worktrees },
    mode: t.mode,
    advice: t.advice,
    liveCodeSessions: liveCodeSessions(ctx.store.sessions()),
    maxCodeSessions,
    limit: Math.min(t.worktrees.max, maxCodeSessions),
  };
}

/** A one-line warning when live code sessions exceed the recommendation or the configured maximum. */
export function overLimitWarning(r: Recommendation): string | null {
  if (r.liveCodeSessions <= r.limit) return null;
  const why =
    r.liveCodeSessions > r.maxCodeSessions
      ? `max_code_sessions = ${r.maxCodeSessions}`
      : `the recommendation for ${r.trackedFiles} tracked files (${r.advice})`;
  return `${r.liveCodeSessions} live implementation sessions exceed ${why} — expect more merge conflicts; finish or \`braid rm\` some first`;
}
