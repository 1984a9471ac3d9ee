/**
 * Agents that still run although their record says they ended (stopped, failed, lost, done): e.g. a
 * status read from a pane of another tmux server by an older braid, which marked live sessions
 * "tmux window closed". `braid doctor` finds them; `doctor --fix` re-adopts them (records where the
 * agent really runs and makes the session active again), so nothing has to be killed by hand.
 */
import { readlinkSync } from "node:fs";
import { pidAlive } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import { isActive, type SessionRecord } from "../project/state.js";
import { readAgentPid, readExit, runtimeOf } from "../runtime/run.js";
import type { Relocated } from "../runtime/runner.js";
import { runnerFor } from "../runtime/runners.js";

export interface Orphan {
  name: string;
  /** The state the record claims. */
  recorded: string;
  agentPid: number;
  /** Where its runner found the agent running (or why it could not). */
  located: Relocated;
}

/** The process runs in the session's worktree (guards against a reused pid). */
function runsIn(pid: number, dir: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false;
  }
}

/** Sessions whose record says ended but whose agent process of the last run is alive. */
export async function findOrphans(ctx: ProjectContext, sessions: SessionRecord[]): Promise<Orphan[]> {
  const stateDir = ctx.project.stateDir;
  const out: Orphan[] = [];
  for (const s of sessions) {
    const rt = runtimeOf(s);
    if (!rt || isActive(s.status) || s.status === "queued" || s.status === "created") continue;
    if (readExit(stateDir, s.name, rt.runId)) continue;
    const agentPid = readAgentPid(stateDir, s.name, rt.runId);
    if (!agentPid || !pidAlive(agentPid) || !runsIn(agentPid, s.path)) continue;
    const located = await runnerFor(rt).relocate({ ctx, name: s.name, rt }, agentPid);
    out.push({ name: s.name, recorded: s.status, agentPid, located });
  }
  return out;
}

/** Make an orphan's session active again, pointing at where its agent really runs. */
export async function adoptOrphan(ctx: ProjectContext, o: Orphan): Promise<void> {
  const located = o.located;
  if (!located.found) throw new Error(located.why);
  await ctx.store.update((d) => {
    const r = d.sessions.find((x) => x.name === o.name);
    const rt = r ? runtimeOf(r) : null;
    if (!r || !rt) throw new Error(`session "${o.name}" vanished`);
    r.status = "starting";
    r.statusSince = new Date().toISOString();
    r.ext = { ...r.ext, session: { ...rt, ...located.patch, exitCode: null, detail: "re-adopted" } };
  });
}
