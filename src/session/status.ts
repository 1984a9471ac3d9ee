/**
 * `listSessionViews`: one SessionView per session in cascade order — what `braid status` and the
 * board show. One look per runner (for tmux: one `list-panes` and one batched `capture-pane` per server), three cheap git calls
 * per worktree (all in parallel). Views only read: they never write the registry, pump the queue or
 * launch agents — recording what they observed and starting queued sessions is the supervisor's step
 * (`supervisorTick` in supervisor.ts), which the commands that act call explicitly.
 */

import { ScreenDebouncer } from "../agents/detectors/debounce.js";
import { withAnswerHint } from "../agents/detectors/hints.js";
import { detectScreenState, type ScreenReading } from "../agents/index.js";
import { unreadCount } from "../coord/unread.js";
import { remoteOf } from "../hosts/remote.js";
import { portsOf } from "../ports/ports.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { repoKeyUntrusted } from "../project/trust-keys.js";
import { conflictNames, runRadar } from "../radar/radar.js";
import { runtimeOf } from "../runtime/run.js";
import { lookRuns } from "../runtime/runners.js";
import { swarmDetailOf } from "../swarm/launch.js";
import { endedRun, startModeOf } from "./cascade.js";
import { queuePosition } from "./control.js";
import { deniedText, deniedToolCalls } from "./denials.js";
import { addCostAndResources } from "./figures.js";
import { figuresFromRadar, gitFigures } from "./gitstats.js";
import { readLive } from "./live.js";
import { remoteSessionViews } from "./remote.js";
import { resolveState } from "./resolve.js";
import type { ResourceSampler } from "./resources.js";
import { serviceViews } from "./services/services.js";
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
  /** Git figures and the conflict radar (default true; false is faster and leaves them null/empty). */
  git?: boolean;
  /** Tokens/cost and CPU/RSS (default true; false skips transcript parsing and a /proc scan: fast polls). */
  cost?: boolean;
  /** Keep one across ticks (watch mode, the board) so CPU is measured between refreshes. */
  sampler?: ResourceSampler;
}

export async function listSessionViews(ctx: ProjectContext, opts: ViewOptions = {}): Promise<SessionView[]> {
  const withGit = opts.git !== false;
  const all = ctx.store.sessions();
  // sessions on hosts: their host's braid resolves them (one round trip per host), meanwhile the local ones here
  const remote = all.some((s) => remoteOf(s)) ? remoteSessionViews(ctx, all) : Promise.resolve([]);
  const sessions = all.filter((s) => !remoteOf(s));
  const stateDir = ctx.project.stateDir;
  const [looks, radar] = await Promise.all([
    lookRuns(ctx, sessions, { screens: true }),
    // The radar: who would conflict with whom, uncommitted work included (never fails the view). Its one pass
    // over each worktree also gives the git figures.
    withGit ? runRadar(ctx).catch(() => null) : Promise.resolve(null),
  ]);
  const conflicts = radar ? conflictNames(radar) : {};
  const looked = new Map((radar?.sessions ?? []).map((r) => [r.name, r]));
  const figures = await Promise.all(
    sessions.map((s) => {
      if (!withGit) return Promise.resolve(null);
      const seen = looked.get(s.name);
      if (seen) return Promise.resolve(figuresFromRadar(seen));
      return gitFigures(s.path, s.baseRef).then((f) => (f.ahead === null ? gitFigures(s.path, s.baseCommit) : f));
    }),
  );
  const servicesTrusted =
    Object.keys(ctx.config.services).length === 0 || !(await repoKeyUntrusted(ctx, "services").catch(() => true));
  const now = Date.now();
  const pids = new Map<string, number | null>();
  const views = sessions.map((s, i): SessionView => {
    const rt = runtimeOf(s);
    const live = readLive(stateDir, s.name);
    const look = looks.get(s.name);
    const running = look?.kind === "running" ? look : null;
    const text = running?.screen;
    const raw = text !== undefined ? detectScreenState(rt?.agent ?? s.agent ?? "", text) : null;
    const screen = opts.debouncer ? opts.debouncer.accept(s.name, raw) : raw;
    const r = resolveState({
      record: s,
      runtime: rt,
      live,
      ended: endedRun(s, looks),
      screen,
      agentAlive: running?.agentAlive === true,
      now,
    });
    const f = figures[i];
    const sameRun = live && rt && live.runId === rt.runId ? live : null;
    pids.set(s.name, isActive(r.state) ? (running?.agentPid ?? null) : null);
    const denied = deniedToolCalls(rt?.logPath);
    const detail = swarmDetailOf(s) ?? (r.state === "waiting" ? withAnswerHint(r.detail, s.name) : r.detail);
    return {
      order: s.order,
      name: s.name,
      type: s.type,
      agent: rt?.agent ?? s.agent ?? null,
      state: r.state,
      since: r.since,
      detail: denied ? [detail, deniedText(denied)].filter(Boolean).join(" · ") : detail,
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
      queuePosition: s.status === "queued" ? queuePosition(all, s.name) : null,
      mode: rt?.mode ?? startModeOf(s),
      conversationId: sameRun?.conversationId ?? rt?.conversationId ?? null,
      transcriptPath: sameRun?.transcriptPath ?? rt?.transcriptPath ?? null,
      exitCode: rt?.exitCode ?? null,
      tmuxTarget: rt?.tmux ? `${rt.tmux.session}:${rt.tmux.window}` : null,
      logPath: rt?.logPath ?? null,
      pid: pids.get(s.name) ?? null,
      sandboxed: rt?.sandboxed === true,
      uncommittedFiles: f?.uncommittedFiles ?? null,
      deniedToolCalls: denied,
      slot: portsOf(s)?.slot ?? null,
      ports: portsOf(s)?.ports ?? [],
      services: serviceViews(ctx, s, servicesTrusted),
    };
  });
  const local = opts.cost === false ? views : await addCostAndResources(ctx, views, pids, opts.sampler);
  // this repository's radar compares remote sessions too (through what `host sync` fetched): its verdict
  // counts, the host alone does not see this machine's sessions
  const remoteViews = (await remote).map((v) => {
    const local = conflicts[v.name];
    return local ? { ...v, conflictsWith: local } : v;
  });
  return remoteViews.length ? [...local, ...remoteViews].sort((a, b) => a.order - b.order) : local;
}
