/**
 * Orphan services: still running although their session is gone, not running, or on another run — what
 * a kill -9 of braid (or of the agent with its wrapper) can leave behind. `braid doctor` reports them and
 * `--fix` stops them; pids are checked with their start time, so a reused pid is never signalled.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { ProjectContext } from "../../project/context.js";
import { isActive } from "../../project/state.js";
import { runtimeOf } from "../../runtime/run.js";
import { lookRuns } from "../../runtime/runners.js";
import { endedRun } from "../cascade.js";
import { readServiceRecords, sameProcess, serviceAlive, stopService } from "./services.js";

export interface OrphanService {
  session: string;
  service: string;
  pid: number | null;
  runnerPid: number | null;
  why: string;
}

export async function findOrphans(ctx: ProjectContext): Promise<OrphanService[]> {
  let names: string[];
  try {
    names = readdirSync(join(ctx.project.stateDir, "run"));
  } catch {
    return [];
  }
  const records = ctx.store.sessions();
  const sessions = new Map(records.map((s) => [s.name, s]));
  const looks = await lookRuns(ctx, records);
  const out: OrphanService[] = [];
  for (const name of names) {
    for (const s of readServiceRecords(ctx.project.stateDir, name)) {
      if (!serviceAlive(s)) continue;
      const rec = sessions.get(name);
      const why = !rec
        ? "its session no longer exists"
        : !isActive(rec.status)
          ? `its session is ${rec.status}`
          : runtimeOf(rec)?.runId !== s.runId
            ? "it belongs to an earlier run of the session"
            : endedRun(rec, looks)
              ? "the session's agent has ended"
              : null;
      if (why)
        out.push({
          session: name,
          service: s.service,
          pid: sameProcess(s.pid, s.pidStart) ? s.pid : null,
          runnerPid: sameProcess(s.runnerPid, s.runnerStart) ? s.runnerPid : null,
          why,
        });
    }
  }
  return out;
}

/** Stop one orphan found by findOrphans (re-read: it may have changed meanwhile). */
export async function stopOrphan(ctx: ProjectContext, o: OrphanService): Promise<void> {
  const s = readServiceRecords(ctx.project.stateDir, o.session).find((x) => x.service === o.service);
  if (s) await stopService(s);
}
