/**
 * The project's cost ledger: what sessions cost before `finish`, `clean` or `rm` removed them, so `braid cost`
 * totals keep counting them. One JSON line per removed session in `<state>/cost/removed.jsonl`, each appended in
 * a single small write (concurrent removals cannot interleave).
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TokenCounts } from "../agents/claude/transcript.js";
import type { ProjectContext } from "../project/context.js";

export interface ModelCost {
  model: string;
  tokens: TokenCounts;
  /** null when the model has no price (see `prices` in config). */
  costUsd: number | null;
}

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

/** Append one entry in a single small write (concurrent removals cannot interleave). */
export function appendRemovedCost(ctx: Pick<ProjectContext, "project">, entry: RemovedCost): void {
  const file = ledgerPath(ctx);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
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
