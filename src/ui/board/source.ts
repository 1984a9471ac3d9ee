/**
 * Feeds the board. Two cadences:
 * - live (every `liveMs`, default 500 ms): re-read the session registry (one small JSON file) so state changes
 *   written by hooks show within a second;
 * - slow (every `slowMs`, default 3 s): the expensive figures — git (ahead/behind, changes), conflicts, unread
 *   notes, cost, CPU/memory — all loaded in parallel; a slow load never blocks the live one.
 * Listeners get data only when something visible changed, so an idle board does not redraw.
 */
import type { SessionRecord } from "../../project/state.js";
import type { SessionView } from "../../session/types.js";
import type { BoardSource } from "./App.js";
import type { BoardData, BoardNote } from "./model.js";

export interface SlowFigures {
  views: SessionView[];
  recommendation: string | null;
  notes: BoardNote[];
}

export interface SourceLoaders {
  project: string;
  limit: number;
  /** Cheap: the registry's records (state, since). */
  records(): SessionRecord[];
  /** Expensive: full views with git figures, cost, resources; notes and advice. */
  slow(): Promise<SlowFigures>;
  liveMs?: number;
  slowMs?: number;
  clock?: () => number;
}

/** A view for a record the slow loader has not seen yet (just created): registry fields, figures unknown. */
export function viewFromRecord(r: SessionRecord): SessionView {
  return {
    order: r.order,
    name: r.name,
    type: r.type,
    agent: r.agent ?? null,
    state: r.status,
    since: r.statusSince ?? r.createdAt,
    detail: null,
    runner: null,
    branch: r.branch,
    path: r.path,
    baseRef: r.baseRef,
    ahead: null,
    behind: null,
    changedFiles: null,
    linesAdded: null,
    linesRemoved: null,
    conflictsWith: [],
    unreadNotes: 0,
    tokens: null,
    costUsd: null,
    cpuPercent: null,
    rssBytes: null,
    queuePosition: null,
  };
}

/**
 * Registry order and state win (they are fresher); slow figures fill the rest. A view whose registry state
 * changed since the slow load drops the slow `detail`, which described the old state.
 */
export function mergeLive(records: SessionRecord[], slow: SessionView[]): SessionView[] {
  const byName = new Map(slow.map((v) => [v.name, v]));
  return [...records]
    .sort((a, b) => a.order - b.order)
    .map((r) => {
      const v = byName.get(r.name);
      if (!v) return viewFromRecord(r);
      if (v.state === r.status) return v;
      return { ...v, state: r.status, since: r.statusSince ?? v.since, detail: null };
    });
}

export class PollingSource implements BoardSource {
  private data: BoardData;
  private slowFigures: SlowFigures | null = null;
  private listeners = new Set<(d: BoardData) => void>();
  private timers: NodeJS.Timeout[] = [];
  private slowRunning = false;
  private lastSent = "";

  constructor(private readonly loaders: SourceLoaders) {
    this.data = {
      project: loaders.project,
      views: [],
      limit: loaders.limit,
      recommendation: null,
      notes: [],
      liveAt: 0,
      gitAt: null,
      error: null,
    };
  }

  current(): BoardData {
    return this.data;
  }

  subscribe(listener: (d: BoardData) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  poke(): void {
    this.live();
    void this.slow();
  }

  /** First load, awaited by the runner so the board opens with figures. */
  async load(): Promise<void> {
    this.live();
    await this.slow();
  }

  private start(): void {
    this.live();
    void this.slow();
    this.timers.push(setInterval(() => this.live(), this.loaders.liveMs ?? 500));
    this.timers.push(setInterval(() => void this.slow(), this.loaders.slowMs ?? 3000));
    for (const t of this.timers) t.unref?.();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private clock(): number {
    return (this.loaders.clock ?? Date.now)();
  }

  private live(): void {
    try {
      const records = this.loaders.records();
      this.publish({ views: mergeLive(records, this.slowFigures?.views ?? []), liveAt: this.clock(), error: null });
    } catch (e) {
      this.publish({ error: `registry: ${(e as Error).message}` });
    }
  }

  private async slow(): Promise<void> {
    if (this.slowRunning) return;
    this.slowRunning = true;
    try {
      this.slowFigures = await this.loaders.slow();
      const { recommendation, notes } = this.slowFigures;
      this.publish({ recommendation, notes, gitAt: this.clock() });
      this.live();
    } catch (e) {
      this.publish({ error: `refresh: ${(e as Error).message}` });
    } finally {
      this.slowRunning = false;
    }
  }

  private publish(patch: Partial<BoardData>): void {
    this.data = { ...this.data, ...patch };
    // liveAt/gitAt change every tick; only what is drawn decides whether to redraw
    const { liveAt: _l, gitAt: _g, ...visible } = this.data;
    const key = JSON.stringify(visible);
    if (key === this.lastSent) return;
    this.lastSent = key;
    for (const l of this.listeners) l(this.data);
  }
}
