/**
 * The cascade supervisor. No daemon: the queue is pumped
 *   - by the commands that act on sessions (start, stop, restart, rm, the board while open: see
 *     supervisor.ts; views such as `braid status` only read), and
 *   - by the exec wrapper the moment an agent exits (it runs `braid _pump` detached),
 * so a queued session starts within a second of a slot freeing up, and nothing has to be kept alive
 * or restarted after a reboot. Pumps are serialized by a lock so two pumps never start the same session.
 */

import { remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
import { withLock } from "../infra/fsutil.js";
import { pidAlive } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { isActive } from "../project/state.js";
import { launchAgent } from "./launch.js";
import { firstUsefulLine, readOutput } from "./output.js";
import { cascadeLockFile } from "./paths.js";
import { readAgentPid, readExit, runtimeOf, type SessionMode, type TmuxLocation } from "./runtime.js";
import { startServices, stopServices } from "./services/services.js";
import { listServerPanes, type PaneInfo, recordedServer, type TmuxServer } from "./tmux.js";

export interface EndedRun {
  status: "done" | "failed" | "stopped" | "lost";
  exitCode: number | null;
  detail: string;
}

/** One tmux server as braid saw it on this look. */
export interface ServerLook {
  running: boolean;
  serverPid: number | null;
  panes: Map<string, PaneInfo>;
}

/** Servers keyed by socket path: a pane id means something only together with its server. */
export type PaneTable = Map<string, ServerLook>;

export type PaneLookup =
  | { server: "up"; pane: PaneInfo | null }
  /** No server at the recorded socket, or a new one (other pid) that reuses pane ids. */
  | { server: "gone" };

/** Find a session's pane in its own server (never one with the same id in another server). */
export function lookupPane(table: PaneTable, tm: TmuxLocation): PaneLookup | null {
  const server = recordedServer(tm);
  const look = table.get(server.path as string);
  if (!look) return null;
  if (!look.running || (tm.serverPid && look.serverPid && look.serverPid !== tm.serverPid)) return { server: "gone" };
  return { server: "up", pane: look.panes.get(tm.paneId) ?? null };
}

const LOST: EndedRun = { status: "lost", exitCode: null, detail: "tmux server gone" };
const WINDOW_CLOSED: EndedRun = { status: "stopped", exitCode: null, detail: "tmux window closed" };

/** "exit 1: Unable to connect to Anthropic services" — the exit code with the first useful line of output. */
function exitDetail(ctx: ProjectContext, rec: SessionRecord, runId: string, base: string): string {
  const why = firstUsefulLine(readOutput(ctx.project.stateDir, rec.name, runId));
  return why ? `${base}: ${why}` : base;
}

/** Longer than a launch may take (it waits up to 15 s for the agent), so a stale "starting" is reconciled. */
const LAUNCH_GRACE_MS = 60_000;

/** Has this session's agent ended? (process state: exit file, dead pane, vanished pid, vanished server). */
export function endedRun(ctx: ProjectContext, rec: SessionRecord, panes: PaneTable | null): EndedRun | null {
  const rt = runtimeOf(rec);
  if (!rt || !isActive(rec.status)) return null;
  // A launch in progress (pump claimed the slot; the queue entry is replaced by the new run when it is up): the
  // run on record is the previous one, whose end (a restart just stopped it) says nothing about this session.
  // Bounded in time, so a launch that died half-way is still reconciled.
  if (rec.status === "starting" && rec.ext?.queue && Date.now() - Date.parse(rec.statusSince ?? "") < LAUNCH_GRACE_MS)
    return null;
  const stateDir = ctx.project.stateDir;
  const exit = readExit(stateDir, rec.name, rt.runId);
  const where = rt.runner === "tmux" && rt.tmux && panes ? lookupPane(panes, rt.tmux) : null;
  if (exit) {
    // The terminal went away: a closed window is a stop; a server that vanished is lost (restart --all).
    if (where?.server === "gone" && (exit.hup || exit.signal)) return LOST;
    if (exit.hup || exit.signal === "SIGHUP") return WINDOW_CLOSED;
    if (exit.error) return { status: "failed", exitCode: exit.code, detail: exit.error };
    if (exit.code === 0) return { status: "done", exitCode: 0, detail: "exit 0" };
    return {
      status: "failed",
      exitCode: exit.code,
      detail: exitDetail(ctx, rec, rt.runId, exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`),
    };
  }
  if (where) {
    if (where.server === "gone") return LOST;
    const pane = where.pane;
    if (!pane) return WINDOW_CLOSED;
    if (pane.dead) {
      if (pane.deadSignal) return { status: "failed", exitCode: null, detail: `killed by signal ${pane.deadSignal}` };
      // tmux may flag the pane dead a moment before it has reaped the exit status: decide on the next look.
      if (pane.deadStatus === null) return null;
      const code = pane.deadStatus;
      return code === 0
        ? { status: "done", exitCode: 0, detail: "exit 0" }
        : { status: "failed", exitCode: code, detail: exitDetail(ctx, rec, rt.runId, `exit ${code ?? "?"}`) };
    }
    return null;
  }
  if (rt.runner === "headless") {
    const agentPid = readAgentPid(stateDir, rec.name, rt.runId);
    // Gone without the wrapper recording an exit (reboot, kill -9 of the group): lost, like a vanished server.
    if (!pidAlive(rt.wrapperPid) && !pidAlive(agentPid))
      return { status: "lost", exitCode: null, detail: "agent process vanished" };
  }
  return null;
}

/** Look at every tmux server the given sessions' agents run in (one list-panes per server). */
export async function lookServers(servers: TmuxServer[]): Promise<PaneTable> {
  const table: PaneTable = new Map();
  for (const server of servers) {
    const key = server.path as string;
    if (table.has(key)) continue;
    const r = await listServerPanes(server);
    table.set(key, { running: r.running, serverPid: r.serverPid, panes: new Map(r.panes.map((p) => [p.paneId, p])) });
  }
  return table;
}

/** Pane table of the servers the active sessions use. */
export async function paneTable(sessions: SessionRecord[]): Promise<PaneTable> {
  const servers: TmuxServer[] = [];
  for (const s of sessions) {
    const rt = runtimeOf(s);
    if (rt?.tmux && isActive(s.status)) servers.push(recordedServer(rt.tmux));
  }
  return lookServers(servers);
}

/** Record the end of every agent that ended. Returns how many changed. */
export async function reconcile(ctx: ProjectContext): Promise<number> {
  const sessions = ctx.store.sessions();
  if (!sessions.some((s) => isActive(s.status))) return 0;
  const panes = await paneTable(sessions);
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
  // a session on a host takes that host's slot (max-sessions), not one of this machine's
  return sessions.filter((s) => s.type === "implementation" && isActive(s.status) && !remoteOf(s)).length;
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
  /** Run in the sandbox (decided when the session was started: see sandbox/probe.ts). */
  sandbox?: boolean;
  /** First prompt instead of the task's (braid refresh's hand-off); only without resume. */
  prompt?: string;
}

declare module "../project/state.js" {
  interface SessionExt {
    /** Launch parameters while the session waits in the queue. */
    queue?: QueuedLaunch;
    /** `braid start --mode`, kept from queueing on (views show it before a run exists). */
    mode?: SessionMode;
    /** Why the last launch failed (one line: problem — fix). */
    launchError?: string;
  }
}

export function queuedLaunchOf(rec: SessionRecord): QueuedLaunch | null {
  const q = rec.ext?.queue;
  return q && typeof q === "object" && typeof q.agent === "string" ? q : null;
}

/** The mode the session was started in, if recorded. */
export function startModeOf(rec: SessionRecord): SessionMode | null {
  const m = rec.ext?.mode;
  return m === "standard" || m === "swarm" ? m : null;
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
    { timeoutMs: 60_000, what: "the session queue" },
  );
  return result;
}
