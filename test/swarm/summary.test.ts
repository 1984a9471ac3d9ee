import assert from "node:assert/strict";
import { test } from "node:test";
import { type SwarmRecord, swarmSummary } from "../../src/swarm/record.js";
import { swarmReport } from "../../src/swarm/report.js";

const rec = (state: string, phase: string, error: string | null = null) =>
  ({
    name: "s",
    task: "t",
    state,
    phase,
    error,
    agents: [],
    rounds: [],
    plan: null,
    pid: process.pid,
  }) as unknown as SwarmRecord;

test("swarm summaries and reports say each thing once", () => {
  assert.equal(swarmSummary(rec("planning", "planning")), "swarm planning");
  assert.equal(
    swarmSummary(rec("failed", "the planner failed: boom", "the planner failed: boom")),
    "swarm failed: the planner failed: boom",
  );
  const report = swarmReport({
    ...rec("failed", "the planner failed: boom", "the planner failed: boom"),
    phase: "the planner failed: boom",
  });
  assert.equal(report.split("the planner failed: boom").length - 1, 1, report);
});
