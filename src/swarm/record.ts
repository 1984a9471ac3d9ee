/**
 * The swarm's full record, `<state dir>/swarm/<name>.json`: plan, every agent run, every merge and
 * every verdict per round. Written atomically after each step so `braid swarm NAME` and
 * `braid status` can read it while the swarm runs. Stable shape (README "JSON shapes"): add, never rename.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import { isObject } from "../infra/json.js";
import { pidAlive } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import type { Subtask } from "./plan.js";

export type SwarmState = "planning" | "executing" | "integrating" | "reviewing" | "fixing" | "done" | "failed";
export type AgentRole = "planner" | "executor" | "fixer" | "reviewer";

export interface AgentRun {
  /** Unique in the swarm, e.g. "planner", "r1-t2", "r2-review-a1". */
  id: string;
  role: AgentRole;
  round: number;
  batch: number | null;
  subtask: string | null;
  /** Reviewer focus. */
  focus: string | null;
  /** Executors/fixers: branch and sub-worktree. */
  branch: string | null;
  worktree: string | null;
  state: "running" | "ok" | "failed";
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  logFile: string;
  /** Commit the executor's work was recorded as (null: it changed nothing). */
  commit: string | null;
  /** Files the executor changed outside the paths its subtask owns. */
  outOfBounds: string[];
  error: string | null;
  costUsd: number | null;
}

export interface Issue {
  /** Unique in the round: "<reviewer>-<reviewer's id>", e.g. "a2-1". */
  id: string;
  severity: "critical" | "high" | "medium" | "low";
  file: string | null;
  line: number | null;
  description: string;
  fix: string;
}

export interface Verdict {
  reviewer: string;
  focus: string;
  /** ERROR: the reviewer failed or its answer was unusable (counts as not passing). */
  verdict: "PASS" | "FAIL" | "ERROR";
  summary: string;
  issues: Issue[];
  error: string | null;
}

export interface Merge {
  branch: string;
  /** Merge commit in the session branch; null when there was nothing to merge. */
  commit: string | null;
  conflict: string[] | null;
}

export interface Round {
  round: number;
  /** Issue ids sent to fixers in this round (round 1: none). */
  fixing: string[];
  merges: Merge[];
  verdicts: Verdict[];
  passed: boolean | null;
}

export interface SwarmRecord {
  version: 1;
  name: string;
  task: string;
  agent: string;
  state: SwarmState;
  /** Human-readable step, e.g. "round 1: batch 2/3". */
  phase: string;
  pid: number;
  startedAt: string;
  finishedAt: string | null;
  sessionPath: string;
  sessionBranch: string;
  /** Session branch head when the swarm started: reviewers see the diff from here. */
  startCommit: string;
  executors: number;
  architects: number;
  maxRounds: number;
  plan: {
    /** planner: first answer valid; retry: second answer valid; fallback: single executor. */
    source: "planner" | "retry" | "fallback";
    errors: string[];
    batches: Subtask[][];
  } | null;
  agents: AgentRun[];
  rounds: Round[];
  /** Final report (also on failure). */
  report: string | null;
  error: string | null;
}

export function swarmDir(ctx: ProjectContext): string {
  return join(ctx.project.stateDir, "swarm");
}

export function swarmRecordPath(ctx: ProjectContext, name: string): string {
  return join(swarmDir(ctx), `${name}.json`);
}

export function swarmLogDir(ctx: ProjectContext, name: string): string {
  return join(swarmDir(ctx), name, "logs");
}

export function saveSwarm(ctx: ProjectContext, rec: SwarmRecord): void {
  writeFileAtomic(swarmRecordPath(ctx, rec.name), `${JSON.stringify(rec, null, 2)}\n`);
}

export function readSwarm(ctx: ProjectContext, name: string): SwarmRecord | null {
  const p = swarmRecordPath(ctx, name);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as SwarmRecord;
  } catch {
    throw new BraidError(`swarm record ${p} is corrupt`, `move it aside (mv ${p} ${p}.bad)`);
  }
}

/** The record, or a one-line error naming what exists. */
export function requireSwarm(ctx: ProjectContext, name: string): SwarmRecord {
  const rec = readSwarm(ctx, name);
  if (!rec) {
    throw new BraidError(
      `session "${name}" has no swarm`,
      "start one with `braid start NAME TASK --mode swarm` (or `braid swarm run NAME TASK`)",
    );
  }
  return rec;
}

/** Is the process that runs this swarm still alive? (A killed swarm stays "running" in its record.) */
export function swarmAlive(rec: SwarmRecord): boolean {
  if (rec.state === "done" || rec.state === "failed") return false;
  return pidAlive(rec.pid);
}

/** One line for `braid status`: phase and running sub-agents. */
/** A swarm record's shape, as far as readers rely on it. */
export function isSwarmRecord(v: unknown): v is SwarmRecord {
  return isObject(v) && v.version === 1 && typeof v.name === "string" && typeof v.state === "string";
}

export function swarmSummary(rec: SwarmRecord): string {
  const running = rec.agents.filter((a) => a.state === "running").map((a) => a.id);
  // each thing once: "swarm planning", not "swarm planning: planning"
  const base = !rec.phase || rec.phase === rec.state ? `swarm ${rec.state}` : `swarm ${rec.state}: ${rec.phase}`;
  if (rec.state !== "done" && rec.state !== "failed" && !swarmAlive(rec)) return `${base} (process gone)`;
  return running.length ? `${base} [${running.join(", ")}]` : base;
}
