/**
 * The supervisor step, explicit: record what the agents' runs say now, then start queued sessions while
 * slots are free. Views (status, the board's reads) never do this themselves; the commands that act call
 * `supervisorTick` — `braid _pump` (run by the exec wrapper the moment an agent exits), the board's refresh,
 * `braid rm` — or its launch-free half `recordRuns` (`braid merge`/`finish`, before they pick done/idle
 * sessions). start/stop/restart reconcile and pump as part of what they do (control.ts).
 */
import { remoteOf } from "../hosts/remote.js";
import type { ProjectContext } from "../project/context.js";
import { isActive, type SessionRecord, type SessionState } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import { type PumpResult, pump, reconcile, startable } from "./cascade.js";
import { listSessionViews, type SessionScreenDebouncer } from "./status.js";
import type { SessionView } from "./types.js";

export interface TickResult {
  /** Sessions whose ended run was recorded (done/failed/stopped). */
  ended: number;
  /** Sessions whose observed state or conversation was written to the registry. */
  recorded: number;
  pumped: PumpResult;
}

interface Observed {
  state?: SessionState;
  conversationId?: string;
  transcriptPath?: string;
}

/** What a view knows that the record does not: a new running state, or ids the hooks reported. */
function observedChange(rec: SessionRecord, v: SessionView): Observed | null {
  const rt = runtimeOf(rec);
  const out: Observed = {};
  if (v.state === "unreachable") return null;
  const state = v.state;
  // Only runs braid launched: a record without a runtime has nothing to observe (its state is all there is).
  // a session on a host: its record follows what the host reports, ended states included
  if (remoteOf(rec)) {
    if (state !== rec.status) out.state = state;
  } else if (rt && isActive(rec.status) && isActive(state) && state !== rec.status) out.state = state;
  if (rt && v.conversationId && v.conversationId !== rt.conversationId) out.conversationId = v.conversationId;
  if (rt && v.transcriptPath && v.transcriptPath !== rt.transcriptPath) out.transcriptPath = v.transcriptPath;
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * Write into the registry what views observed for running sessions — their state (hooks, screen) and the
 * conversation id + transcript the hooks reported — so readers that do not resolve views (the merge train
 * picking idle sessions, restart resuming, cost) see them. Only changes are written, under the lock, and
 * each is checked again against the record as it is inside the lock.
 */
async function recordObserved(
  ctx: ProjectContext,
  views: SessionView[],
  viewedRuns: Map<string, string | undefined>,
): Promise<number> {
  const records = new Map(ctx.store.sessions().map((r) => [r.name, r]));
  const changed = views.filter((v) => {
    const rec = records.get(v.name);
    return rec !== undefined && observedChange(rec, v) !== null;
  });
  if (changed.length === 0) return 0;
  await ctx.store.update((d) => {
    for (const v of changed) {
      const rec = d.sessions.find((x) => x.name === v.name);
      // A view of the previous run (a restart launched a new one meanwhile) says nothing about this one.
      if (rec && runtimeOf(rec)?.runId !== viewedRuns.get(v.name)) continue;
      const o = rec ? observedChange(rec, v) : null;
      if (!rec || !o) continue;
      if (o.state) {
        rec.status = o.state;
        rec.statusSince = new Date().toISOString();
      }
      const cur = runtimeOf(rec);
      if (cur && (o.conversationId || o.transcriptPath)) {
        const session = {
          ...cur,
          conversationId: o.conversationId ?? cur.conversationId,
          transcriptPath: o.transcriptPath ?? cur.transcriptPath,
        };
        rec.ext = {
          ...rec.ext,
          session,
          claude: { sessionId: session.conversationId, transcriptPath: session.transcriptPath },
        };
      }
    }
  });
  return changed.length;
}

export interface TickOptions {
  /** Keep one across ticks (the board) so a screen must repeat before it counts. */
  debouncer?: SessionScreenDebouncer;
}

/**
 * Bring the registry up to date with the runs, launching nothing: ended runs are recorded (reconcile), then
 * the states and ids views observe for running sessions. `braid merge`/`finish` call this before picking
 * done/idle sessions.
 */
export async function recordRuns(
  ctx: ProjectContext,
  opts: TickOptions = {},
): Promise<{ ended: number; recorded: number }> {
  const ended = await reconcile(ctx);
  const viewedRuns = new Map(ctx.store.sessions().map((r) => [r.name, runtimeOf(r)?.runId]));
  const views = await listSessionViews(ctx, {
    git: false,
    cost: false,
    ...(opts.debouncer ? { debouncer: opts.debouncer } : {}),
  });
  return { ended, recorded: await recordObserved(ctx, views, viewedRuns) };
}

/** The supervisor step: `recordRuns`, then pump the queue when a slot may be free. */
export async function supervisorTick(ctx: ProjectContext, opts: TickOptions = {}): Promise<TickResult> {
  const { ended, recorded } = await recordRuns(ctx, opts);
  const sessions = ctx.store.sessions();
  const pumped =
    ended > 0 || startable(sessions, ctx.config.max_code_sessions).length > 0
      ? await pump(ctx)
      : { started: [], failed: [] };
  return { ended, recorded, pumped };
}
