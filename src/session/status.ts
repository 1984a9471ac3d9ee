/**
 * `listSessionViews`: one SessionView per session in cascade order — what `braid status` and the
 * board show. One `list-panes` and one batched `capture-pane` per tmux server, three cheap git calls
 * per worktree (all in parallel). Also acts as the supervisor tick: ended runs are recorded and the
 * queue is pumped, so anything that watches status keeps the cascade moving.
 */
import { ScreenDebouncer } from "../agents/detectors/debounce.js";
import { detectScreenState, type ScreenReading } from "../agents/detectors/index.js";
import { unreadCount } from "../coord/unread.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { conflictSummary } from "../radar/radar.js";
import { portsOf } from "../services/ports.js";
import { serviceViews } from "../services/services.js";
import { swarmDetailOf } from "../swarm/launch.js";
import { keyTrusted } from "../worktree/trust.js";
import { endedRun, paneTable, pump, reconcile, startable } from "./cascade.js";
import { queuePosition } from "./control.js";
import { addCostAndResources } from "./figures.js";
import { gitFigures } from "./gitstats.js";
import { readLive } from "./live.js";
import { resolveState } from "./resolve.js";
import type { ResourceSampler } from "./resources.js";
import { isActive, pidAlive, readAgentPid, runtimeOf } from "./runtime.js";
import { capturePanes } from "./tmux.js";
import type { SessionView } from "./types.js";

/**
 * Screen readings must repeat on two consecutive ticks before they count (a TUI redrawing mid-frame must
 * not flip the state): one detector debouncer per session. Pass one instance across ticks (watch mode,
 * the board); one-shot callers get the raw reading.
 */
export class SessionScreenDebouncer {
  private readonly perSession = new Map<string, ScreenDebouncer>();

  accept(name: string, reading: ScreenReading | null): ScreenReading | null {
    let d = this.perSession.get(name);
    if (!d) {
      d = new ScreenDebouncer();
      this.perSession.set(name, d);
    }
    return d.push(reading);
  }
}

export interface ViewOptions {
  debouncer?: SessionScreenDebouncer;
  /** Skip git figures (faster; they come back null). */
  noGit?: boolean;
  /** Do not start queued sessions (read-only view). */
  noPump?: boolean;
  /** Skip tokens/cost and CPU/RSS (transcript parsing and a /proc scan): for fast polls. */
  noCost?: boolean;
  /** Keep one across ticks (watch mode, the board) so CPU is measured between refreshes. */
  sampler?: ResourceSampler;
}

/** Screens of live panes only: one missing pane would abort tmux's whole `;`-chained batch. */
async function screens(sessions: SessionRecord[], panes: Map<string, { dead: boolean }>): Promise<Map<string, string>> {
  const bySocket = new Map<string, string[]>();
  for (const s of sessions) {
    const rt = runtimeOf(s);
    if (!rt?.tmux || !isActive(s.status)) continue;
    const pane = panes.get(rt.tmux.paneId);
    if (!pane || pane.dead) continue;
    bySocket.set(rt.tmux.socket, [...(bySocket.get(rt.tmux.socket) ?? []), rt.tmux.paneId]);
  }
  const all = new Map<string, string>();
  for (const [socket, ids] of bySocket) for (const [k, v] of await capturePanes({ socket }, ids)) all.set(k, v);
  return all;
}

export async function listSessionViews(ctx: ProjectContext, opts: ViewOptions = {}): Promise<SessionView[]> {
  if (!opts.noPump) {
    const changed = await reconcile(ctx);
    const sessions = ctx.store.sessions();
    if (changed > 0 || startable(sessions, ctx.config.max_code_sessions).length > 0) await pump(ctx);
  }
  const sessions = ctx.store.sessions();
  const stateDir = ctx.project.stateDir;
  const panes = await paneTable(ctx, sessions);
  const [screenText, figures, conflicts] = await Promise.all([
    screens(sessions, panes),
    Promise.all(
      sessions.map((s) =>
        opts.noGit
          ? Promise.resolve(null)
          : gitFigures(s.path, s.baseRef).then((f) => (f.ahead === null ? gitFigures(s.path, s.baseCommit) : f)),
      ),
    ),
    // The radar: who would conflict with whom, uncommitted work included (never fails the view).
    opts.noGit
      ? Promise.resolve({} as Record<string, string[]>)
      : conflictSummary(ctx).catch(() => ({}) as Record<string, string[]>),
  ]);
  const servicesTrusted =
    Object.keys(ctx.config.services).length === 0 || (await keyTrusted(ctx, "services").catch(() => false));
  const now = Date.now();
  const updates: { name: string; state?: SessionRecord["status"]; conversationId?: string; transcriptPath?: string }[] =
    [];
  const pids = new Map<string, number | null>();
  const views = sessions.map((s, i): SessionView => {
    const rt = runtimeOf(s);
    const live = readLive(stateDir, s.name);
    const text = rt?.tmux ? screenText.get(rt.tmux.paneId) : undefined;
    const raw = text !== undefined ? detectScreenState(rt?.agent ?? s.agent ?? "", text) : null;
    const screen = opts.debouncer ? opts.debouncer.accept(s.name, raw) : raw;
    const agentPid = rt ? readAgentPid(stateDir, s.name, rt.runId) : null;
    const r = resolveState({
      record: s,
      runtime: rt,
      live,
      ended: endedRun(ctx, s, panes),
      screen,
      agentAlive: pidAlive(agentPid),
      now,
    });
    const f = figures[i];
    const sameRun = live && rt && live.runId === rt.runId ? live : null;
    const stateChanged = isActive(s.status) && isActive(r.state) && r.state !== s.status;
    const learned =
      sameRun &&
      ((sameRun.conversationId && sameRun.conversationId !== rt?.conversationId) ||
        (sameRun.transcriptPath && sameRun.transcriptPath !== rt?.transcriptPath));
    if (stateChanged || learned)
      updates.push({
        name: s.name,
        ...(stateChanged ? { state: r.state } : {}),
        ...(learned && sameRun?.conversationId ? { conversationId: sameRun.conversationId } : {}),
        ...(learned && sameRun?.transcriptPath ? { transcriptPath: sameRun.transcriptPath } : {}),
      });
    pids.set(s.name, isActive(r.state) && pidAlive(agentPid) ? agentPid : null);
    return {
      order: s.order,
      name: s.name,
      type: s.type,
      agent: rt?.agent ?? s.agent ?? null,
      state: r.state,
      since: r.since,
      detail: swarmDetailOf(s) ?? r.detail,
      runner: rt?.runner ?? null,
      branch: s.branch,
      path: s.path,
      baseRef: s.baseRef,
      ahead: f?.ahead ?? null,
      behind: f?.behind ?? null,
      changedFiles: f?.changedFiles ?? null,
      linesAdded: f?.linesAdded ?? null,
      linesRemoved: f?.linesRemoved ?? null,
      conflictsWith: conflicts[s.name] ?? [],
      unreadNotes: unreadCount(ctx, s.name),
      tokens: null,
      costUsd: null,
      cpuPercent: null,
      rssBytes: null,
      queuePosition: s.status === "queued" ? queuePosition(sessions, s.name) : null,
      mode: rt?.mode ?? (s.ext?.mode as "standard" | "swarm" | undefined) ?? null,
      conversationId: sameRun?.conversationId ?? rt?.conversationId ?? null,
      transcriptPath: sameRun?.transcriptPath ?? rt?.transcriptPath ?? null,
      exitCode: rt?.exitCode ?? null,
      tmuxTarget: rt?.tmux ? `${rt.tmux.session}:${rt.tmux.window}` : null,
      logPath: rt?.logPath ?? null,
      pid: pids.get(s.name) ?? null,
      slot: portsOf(s)?.slot ?? null,
      ports: portsOf(s)?.ports ?? [],
      services: serviceViews(ctx, s, servicesTrusted),
    };
  });
  // Keep the registry current for readers that do not resolve views (only on change): the state, and the
  // conversation id + transcript the hooks reported (restart resumes it; cost reads `ext.claude`).
  if (updates.length > 0) {
    await ctx.store.update((d) => {
      for (const u of updates) {
        const rec = d.sessions.find((x) => x.name === u.name);
        if (!rec) continue;
        if (u.state && isActive(rec.status) && rec.status !== u.state) {
          rec.status = u.state;
          rec.statusSince = new Date().toISOString();
        }
        const cur = runtimeOf(rec);
        if (cur && (u.conversationId || u.transcriptPath)) {
          const session = {
            ...cur,
            conversationId: u.conversationId ?? cur.conversationId,
            transcriptPath: u.transcriptPath ?? cur.transcriptPath,
          };
          rec.ext = {
            ...rec.ext,
            session,
            claude: { sessionId: session.conversationId, transcriptPath: session.transcriptPath },
          };
        }
      }
    });
  }
  return opts.noCost ? views : addCostAndResources(ctx, views, pids, opts.sampler);
}
