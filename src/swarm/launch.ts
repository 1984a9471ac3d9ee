/**
 * How the session runner starts a swarm session: the "agent" is braid itself (`braid swarm exec NAME`),
 * which drives planner, executors and reviewers headless; the runner's wrapper records its exit as usual.
 */
import { braidBin } from "../agents/claude.js";
import type { AgentLaunch } from "../agents/types.js";
import type { SessionRecord } from "../project/state.js";

/** Swarm sizes chosen at `braid start --mode swarm`, kept in the session record under `ext.swarmOptions`. */
export interface SwarmStartOptions {
  executors?: number;
  architects?: number;
}

export function swarmOptionsOf(rec: SessionRecord): SwarmStartOptions {
  return (rec.ext?.swarmOptions as SwarmStartOptions | undefined) ?? {};
}

/** `braid status` detail for a swarm session: its phase, e.g. "swarm executing: round 1: batch 2/3". */
export function swarmDetailOf(rec: SessionRecord): string | null {
  const s = rec.ext?.swarm as { state?: string; phase?: string } | undefined;
  return s?.state ? `swarm ${s.state}: ${s.phase ?? ""}`.trim() : null;
}

export function swarmLaunch(rec: SessionRecord): AgentLaunch {
  return {
    argv: [process.execPath, braidBin(), "swarm", "exec", rec.name],
    env: {},
    conversationId: null,
    hooks: false,
  };
}
