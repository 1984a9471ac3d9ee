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
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { isActive } from "../project/state.js";
import { cascadeLockFile } from "../runtime/paths.js";
import { runtimeOf, type SessionMode } from "../runtime/run.js";
import type { EndedRun, RunLook } from "../runtime/runner.js";
import { lookRuns } from "../runtime/runners.js";
import { launchAgent } from "./launch.js";
import { startServices, stopServices } from "./services/services.js";

/** Longer than a launch may take (it waits up to 15 s for the agent), so a stale "starting" is reconciled. */
const LAUNCH_GRACE_MS = 60_000;

/** Has this session's agent ended? (what its runner's look found: exit file, dead pane, vanished process). */
export function endedRun(rec: SessionRecord, looks: Map<string, RunLook>): EndedRun | null {
  if (!runtimeOf(rec) || !isActive(rec.status)) return null;
  // A launch in progress (pump claimed the slot; the queue entry is replaced by the new run when it is up): the
  // run on record is the previous one, whose end (a restart just stopped it) says nothing about this session.
  // Bounded in time, so a launch that died half-way is still reconciled.
  if (rec.status === "starting" && rec.ext?.queue && Date.now() - Date.parse(rec.statusSince ?? "") < LAUNCH_GRACE_MS)
    return null;
  const look = looks.get(rec.name);
  return look?.kind === "ended" ? look.end : null;
}

/** Record the end of every agent that ended. Returns how many changed. */
export async function reconcile(ctx: ProjectContext): Promise<number> {
  const sessions = ctx.store.sessions();
  if (!sessions.some((s) => isActive(s.status))) return 0;
  const looks = await lookRuns(ctx, sessions);
  const ended = sessions
    .map((s) => [s, endedRun(s, looks)] as const)
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
    // a remote session waits in its host's queue, never here
    if (s.status !== "queued" || remoteOf(s)) continue;
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
