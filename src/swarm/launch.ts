/**
 * How the session runner starts a swarm session: the "agent" is braid itself (`braid swarm exec NAME`),
 * which drives planner, executors and reviewers headless; the runner's wrapper records its exit as usual.
 */

import { braidBin } from "../agents/claude.js";
import type { AgentLaunch } from "../agents/types.js";
import { readJsonFile } from "../infra/json.js";
import type { SessionRecord } from "../project/state.js";
import { isSwarmRecord, swarmSummary } from "./record.js";

/** Swarm sizes chosen at `braid start --mode swarm`, kept in the session record under `ext.swarmOptions`. */
export interface SwarmStartOptions {
  executors?: number;
  architects?: number;
  rounds?: number;
}

/** What the registry shows of a running swarm (the record file is the source of truth). */
interface SwarmSlot {
  state: string;
  phase: string;
  /** Path of the swarm record. */
  record: string;
}

declare module "../project/state.js" {
  interface SessionExt {
    swarmOptions?: SwarmStartOptions;
    swarm?: SwarmSlot;
  }
}

const positive = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n > 0;

export function swarmOptionsOf(rec: SessionRecord): SwarmStartOptions {
  const o = rec.ext?.swarmOptions;
  if (!o || typeof o !== "object") return {};
  return {
    ...(positive(o.executors) ? { executors: o.executors } : {}),
    ...(positive(o.architects) ? { architects: o.architects } : {}),
    ...(positive(o.rounds) ? { rounds: o.rounds } : {}),
  };
}

/**
 * `braid status` detail for a swarm session: phase and running sub-agents, e.g.
 * "swarm executing: round 1: batch 2/3 [r1-t3, r1-t4]", read from the live swarm record.
 */
export function swarmDetailOf(rec: SessionRecord): string | null {
  const s = rec.ext?.swarm;
  if (!s || typeof s !== "object" || typeof s.state !== "string" || !s.state) return null;
  // record unreadable mid-write or gone: fall back to what the registry says
  const record = typeof s.record === "string" && s.record ? readJsonFile(s.record, isSwarmRecord) : null;
  if (record) return swarmSummary(record);
  return !s.phase || s.phase === s.state ? `swarm ${s.state}` : `swarm ${s.state}: ${s.phase}`;
}

export function swarmLaunch(rec: SessionRecord): AgentLaunch {
  return {
    argv: [process.execPath, braidBin(), "swarm", "exec", rec.name],
    env: {},
    conversationId: null,
    hooks: false,
  };
}
