/**
 * Tokens and dollars per session, from the Claude Code transcripts written for the session's worktree.
 * Every transcript in Claude's project folder for the worktree counts (resumed and sub-agent runs included).
 * Read incrementally: per-file cursors are cached in `<stateDir>/cost/<session>.json`, so a refresh reads
 * only what was appended since. A cache is self-contained (cursor + counts for the same bytes), so two
 * processes refreshing at once can only both write a correct cache: an atomic write suffices, no lock.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  addCounts,
  emptyCounts,
  type TokenCounts,
  type TranscriptCursor,
  totalCounts,
} from "../agents/claude/transcript.js";
import { usageReaderFor } from "../agents/index.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import { appendRemovedCost, type ModelCost, type RemovedCost, readRemovedCosts } from "./ledger.js";
import { readLive } from "./live.js";
import { priceFor } from "./prices.js";

export interface SessionCost {
  session: string;
  agent: string | null;
  /** null when no transcript was found (not a Claude session, or not started yet). */
  tokens: TokenCounts | null;
  /** Sum over priced models; null when nothing was found or nothing could be priced. */
  costUsd: number | null;
  byModel: ModelCost[];
  transcripts: number;
}

export interface ProjectCost {
  sessions: SessionCost[];
  /** Sessions removed by finish/clean/rm, from the project's cost ledger: counted in `total`. */
  removed: { sessions: RemovedCost[]; tokens: TokenCounts; costUsd: number };
  /** Live and removed sessions together. */
  total: { tokens: TokenCounts; costUsd: number };
  /** Models seen without a price: their tokens are counted but cost nothing in the totals. */
  unpricedModels: string[];
}

interface CostCache {
  version: 1;
  files: Record<string, TranscriptCursor>;
}

function cachePath(ctx: ProjectContext, session: string): string {
  return join(ctx.project.stateDir, "cost", `${encodeURIComponent(session)}.json`);
}

function readCache(path: string): CostCache {
  try {
    const d = JSON.parse(readFileSync(path, "utf8")) as CostCache;
    if (d?.version === 1 && d.files && typeof d.files === "object") return d;
  } catch {
    /* missing or damaged: a cache, so start over */
  }
  return { version: 1, files: {} };
}

/** Transcript paths the session runner learned from hooks (they may live outside the worktree's folder). */
function recordedTranscripts(ctx: ProjectContext, record: SessionRecord): string[] {
  const paths = [runtimeOf(record)?.transcriptPath, readLive(ctx.project.stateDir, record.name)?.transcriptPath];
  return paths.filter((p): p is string => typeof p === "string" && p.length > 0);
}

/** Tokens and cost of one session, reading only what its transcripts gained since the last call. */
export function sessionCost(ctx: ProjectContext, record: SessionRecord): SessionCost {
  const agent = record.agent ?? null;
  // The agent's unit knows where its transcripts are and how to read them.
  const usage = usageReaderFor(runtimeOf(record)?.agent ?? agent);
  const files = usage ? usage.transcriptFiles(record.path, recordedTranscripts(ctx, record)) : [];
  if (!usage || files.length === 0)
    return { session: record.name, agent, tokens: null, costUsd: null, byModel: [], transcripts: 0 };
  const path = cachePath(ctx, record.name);
  const cache = readCache(path);
  let changed = false;
  const byModel: Record<string, TokenCounts> = {};
  for (const f of files) {
    const before = cache.files[f];
    const after = usage.readTranscript(f, before);
    if (after !== before && (after.offset !== before?.offset || after.fileId !== before?.fileId)) changed = true;
    cache.files[f] = after;
    for (const [m, c] of Object.entries(after.byModel)) byModel[m] = addCounts(byModel[m] ?? emptyCounts(), c);
  }
  if (changed) {
    try {
      writeFileAtomic(path, JSON.stringify(cache));
    } catch {
      /* a cache: failing to save only costs a re-read next time */
    }
  }
  return summarize(ctx, record.name, agent, byModel, files.length);
}

function summarize(
  ctx: ProjectContext,
  session: string,
  agent: string | null,
  byModel: Record<string, TokenCounts>,
  transcripts: number,
): SessionCost {
  const models: ModelCost[] = Object.entries(byModel)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([model, tokens]) => ({ model, tokens, costUsd: priceTokens(ctx, model, tokens) }));
  const priced = models.filter((m) => m.costUsd !== null);
  return {
    session,
    agent,
    tokens: totalCounts(byModel),
    costUsd: priced.length ? round(priced.reduce((s, m) => s + (m.costUsd ?? 0), 0)) : null,
    byModel: models,
    transcripts,
  };
}

/** USD for `tokens` of `model`, or null when the model has no price. */
export function priceTokens(ctx: Pick<ProjectContext, "config">, model: string, tokens: TokenCounts): number | null {
  const p = priceFor(model, ctx.config.prices);
  if (!p) return null;
  const usd =
    (tokens.input * p.input +
      tokens.output * p.output +
      tokens.cacheRead * p.cacheRead +
      tokens.cacheWrite * p.cacheWrite) /
    1_000_000;
  return round(usd);
}

function round(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** Every session's cost in cascade order, plus project totals. */
export function projectCost(ctx: ProjectContext): ProjectCost {
  const sessions = ctx.store.sessions().map((r) => sessionCost(ctx, r));
  const removedSessions = readRemovedCosts(ctx);
  const unpriced = new Set<string>();
  const sum = (list: Pick<SessionCost, "tokens" | "costUsd" | "byModel">[]) => {
    let tokens = emptyCounts();
    let costUsd = 0;
    for (const s of list) {
      if (s.tokens) tokens = addCounts(tokens, s.tokens);
      costUsd += s.costUsd ?? 0;
      for (const m of s.byModel) if (m.costUsd === null) unpriced.add(m.model);
    }
    return { tokens, costUsd };
  };
  const live = sum(sessions);
  const gone = sum(removedSessions);
  return {
    sessions,
    removed: { sessions: removedSessions, tokens: gone.tokens, costUsd: round(gone.costUsd) },
    total: { tokens: addCounts(live.tokens, gone.tokens), costUsd: round(live.costUsd + gone.costUsd) },
    unpricedModels: [...unpriced].sort(),
  };
}

/** Record the session's cost as it is removed. Never throws: a removal must not fail over bookkeeping. */
export function recordRemovedCost(ctx: ProjectContext, rec: SessionRecord): void {
  try {
    const c = sessionCost(ctx, rec);
    if (c.tokens === null) return;
    appendRemovedCost(ctx, {
      session: rec.name,
      agent: c.agent,
      removedAt: new Date().toISOString(),
      tokens: c.tokens,
      costUsd: c.costUsd,
      byModel: c.byModel,
    });
  } catch {
    /* the ledger is best effort; the removal goes on */
  }
}
