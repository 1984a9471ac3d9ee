/**
 * The project's cost ledger: what sessions cost before `finish`, `clean` or `rm` removed them, so `braid cost`
 * totals keep counting them. One JSON line per removed session in `<state>/cost/removed.jsonl`, each appended in
 * a single small write (concurrent removals cannot interleave).
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TokenCounts } from "../agents/claude/transcript.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { type ModelCost, sessionCost } from "./cost.js";

export interface RemovedCost {
  session: string;
  agent: string | null;
  removedAt: string;
  tokens: TokenCounts | null;
  costUsd: number | null;
  byModel: ModelCost[];
}

function ledgerPath(ctx: Pick<ProjectContext, "project">): string {
  return join(ctx.project.stateDir, "cost", "removed.jsonl");
}

/** Record the session's cost as it is removed. Never throws: a removal must not fail over bookkeeping. */
export function recordRemovedCost(ctx: ProjectContext, rec: SessionRecord): void {
  try {
    const c = sessionCost(ctx, rec);
    if (c.tokens === null) return;
    const entry: RemovedCost = {
      session: rec.name,
      agent: c.agent,
      removedAt: new Date().toISOString(),
      tokens: c.tokens,
      costUsd: c.costUsd,
      byModel: c.byModel,
    };
    const file = ledgerPath(ctx);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  } catch {
    /* the ledger is best effort; the removal goes on */
  }
}

/** Every removed session's recorded cost (damaged lines are skipped). */
export function readRemovedCosts(ctx: Pick<ProjectContext, "project">): RemovedCost[] {
  let text = "";
  try {
    text = readFileSync(ledgerPath(ctx), "utf8");
  } catch {
    return [];
  }
  const out: RemovedCost[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as RemovedCost;
      if (typeof e.session === "string") out.push(e);
    } catch {
      /* a torn line */
    }
  }
  return out;
}
