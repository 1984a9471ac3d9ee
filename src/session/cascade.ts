/**
 * The cascade supervisor. No daemon: the queue is pumped
 *   - by every braid command that touches sessions (start, stop, restart, status, the board), and
 *   - by the exec wrapper the moment an agent exits (it runs `braid _pump` detached),
 * so a queued session starts within a second of a slot freeing up, and nothing has to be kept alive
 * or restarted after a reboot. Pumps are serialized by a lock so two pumps never start the same session.
 */

import { BraidError } from "../errors.js";
import { withLock } from "../fsutil.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { startServices, stopServices } from "../services/services.js";
import { launchAgent } from "./launch.js";
import { cascadeLockFile } from "./paths.js";
import { isActive, pidAlive, readAgentPid, readExit, runtimeOf, type SessionMode } from "./runtime.js";
import { listPanes } from "./tmux.js";

export interface EndedRun {
  status: "done" | "failed" | "stopped";
  exitCode: number | null;
  detail: string;
}

/** Has this session's agent ended? (process state: exit file, dead pane, vanished pid). */
export function endedRun(
  ctx: ProjectContext,
  rec: SessionRecord,
  panes: Map<string, { dead: boolean; deadStatus: number | null; deadSignal?: number | null }> | null,
): EndedRun | null {
  const rt = runtimeOf(rec);
  if (!rt || !isActive(rec.status)) return null;
  const stateDir = ctx.project.stateDir;
  const exit = readExit(stateDir, rec.name, rt.runId);
  if (exit) {
    if (exit.signal === "SIGHUP") return { status: "stopped", exitCode: null, detail: "tmux window closed" };
    if (exit.error) return { status: "failed", exitCode: exit.code, detail: exit.error };
    if (exit.code === 0) return { status: "done", exitCode: 0, detail: "exit 0" };
    return {
      status: "failed",
      exitCode: exit.code,
      detail: exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`,
    };
  }
  if (rt.runner === "tmux" && rt.tmux && panes) {
    const pane = panes.get(rt.tmux.paneId);
    if (!pane) return { status: "stopped", exitCode: null, detail: "tmux window closed" };
    if (pane.dead) {
      if (pane.deadSignal) return { status: "failed", exitCode: null, detail: `killed by signal ${pane.deadSignal}` };
      // tmux may flag the pane dead a moment before it has reaped the exit status: decide on the next look.
      if (pane.deadStatus === null) return null;
      const code = pane.deadStatus;
      return code === 0
        ? { status: "done", exitCode: 0, detail: "exit 0" }
        : { status: "failed", exitCode: code, detail: `exit ${code ?? "?"}` };
    }
    return null;
  }
  if (rt.runner === "headless") {
    const agentPid = readAgentPid(stateDir, rec.name, rt.runId);
    if (!pidAlive(rt.wrapperPid) && !pidAlive(agentPid))
      return { status: "failed", exitCode: null, detail: "agent process vanished" };
  }
  return null;
}

/** Pane table keyed by pane id for the servers the sessions use (one list-panes per server). */
export async function paneTable(
  ctx: ProjectContext,
  sessions: SessionRecord[],
): Promise<Map<string, { dead: boolean; deadStatus: number | null; deadSignal: number | null; pid: number }>> {
  const sockets = new Set<string>();
  for (const s of sessions) {
    const rt = runtimeOf(s);
    if (rt?.tmux && isActive(s.status)) sockets.add(rt.tmux.socket);
  }
  const table = new Map<string, { dead: boolean; deadStatus: number | null; deadSignal: number | null; pid: number }>();
  for (const socket of sockets) {
    for (const p of await listPanes({ socket })) table.set(p.paneId, p);
  }
  void ctx;
  return table;
}

/** Record the end of every agent that ended. Returns how many changed. */
export async function reconcile(ctx: ProjectContext): Promise<number> {
  const sessions = ctx.store.sessions();
  if (!sessions.some((s) => isActive(s.status))) return 0;
  const panes = await paneTable(ctx, sessions);
  const ended = sessions
    .map((s) => [s, endedRun(ctx, s, panes)] as const)
    .filter((x): x is readonly [SessionRecord, EndedRun] => x[1] !== null);
  if (ended.length === 0) return 0;
  await ctx.store.update((data) => {
    for (const [s, end] of ended) {
      const rec = data.sessions.find((x) => x.name === s.name);
      const rt = rec ? runtimeOf(rec) : null;
      if (!rec || !rt || rt.runId !== runtimeOf(s)?.runId || !isActive(rec.status)) continue;
      rec.status = end.status;
      rec.statusSince = new Date().toISOString();
      rec.ext = { ...rec.ext, session: { ...rt, exitCode: end.exitCode, detail: end.detail } };
    }
  });
  // Services live as long as their agent's run.
  for (const [s] of ended) await stopServices(ctx, s.name);
  return ended.length;
}

export interface PumpResult {
  started: string[];
  failed: { name: string; error: string }[];
}

/** How many implementation sessions are running now. */
export function runningCode(sessions: SessionRecord[]): number {
  return sessions.filter((s) => s.type === "implementation" && isActive(s.status)).length;
}

/** Queued sessions that may start now, oldest first, given the cap. */
export function startable(sessions: SessionRecord[], maxCode: number): SessionRecord[] {
  let free = maxCode - runningCode(sessions);
  const out: SessionRecord[] = [];
  for (const s of [...sessions].sort((a, b) => a.order - b.order)) {
    if (s.status !== "queued") continue;
    if (s.type !== "implementation") out.push(s);
    else if (free > 0) {
      out.push(s);
      free--;
    }
  }
  return out;
}

/** Launch parameters of a queued session, kept in `ext.queue` until it starts. */
export interface QueuedLaunch {
  agent: string;
  headless: boolean;
  mode: SessionMode;
  resume: boolean;
}

export function queuedLaunchOf(rec: SessionRecord): QueuedLaunch | null {
  const q = rec.ext?.queue as QueuedLaunch | undefined;
  return q && typeof q.agent === "string" ? q : null;
}

function oneLine(e: unknown): string {
  return e instanceof BraidError ? e.oneLine() : (e as Error).message;
}

/** Reconcile ended runs, then start queued sessions while slots are free. */
export async function pump(ctx: ProjectContext): Promise<PumpResult> {
  const result: PumpResult = { started: [], failed: [] };
  await withLock(
    cascadeLockFile(ctx.project.stateDir),
    async () => {
      await reconcile(ctx);
      for (const rec of startable(ctx.store.sessions(), ctx.config.max_code_sessions)) {
        const q = queuedLaunchOf(rec) ?? {
          agent: rec.agent ?? ctx.config.agent,
          headless: ctx.config.runner === "headless",
          mode: "standard" as const,
          resume: false,
        };
        // Claim the slot before the (slow) launch, so a concurrent reader never sees it free.
        await ctx.store.patch(rec.name, { status: "starting", agent: q.agent });
        try {
          const rt = await launchAgent(ctx, rec, q);
          await ctx.store.update((d) => {
            const r = d.sessions.find((x) => x.name === rec.name);
            if (!r) return;
            const { queue: _q, launchError: _e, ...ext } = r.ext ?? {};
            r.ext = { ...ext, session: rt };
          });
          result.started.push(rec.name);
          // After the run is recorded (a kill -9 from here on leaves services braid can find): never fails the agent.
          await startServices(ctx, rec.name).catch(() => undefined);
        } catch (e) {
          const error = oneLine(e);
          await ctx.store.update((d) => {
            const r = d.sessions.find((x) => x.name === rec.name);
            if (!r) return;
            const { queue: _q, ...ext } = r.ext ?? {};
            r.status = "failed";
            r.statusSince = new Date().toISOString();
            r.ext = { ...ext, launchError: error };
          });
          result.failed.push({ name: rec.name, error });
        }
      }
    },
    { staleMs: 30_000, timeoutMs: 60_000 },
  );
  return result;
}
