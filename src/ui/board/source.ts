/**
 * Feeds the board. Two cadences:
 * - live (every `liveMs`, default 500 ms): session state without git (hook state files, tmux panes), so
 *   state changes written by hooks show within a second;
 * - slow (every `slowMs`, default 3 s): the expensive figures — git (ahead/behind, changes), conflicts, unread
 *   notes, cost, CPU/memory — all loaded in parallel; a slow load never blocks the live one.
 * Listeners get data only when something visible changed, so an idle board does not redraw.
 */
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
  /** Cheap: views with live state (hooks, panes) but no git figures. */
  live(): Promise<SessionView[]>;
  /** Expensive: full views with git figures, cost, resources; notes and advice. */
  slow(): Promise<SlowFigures>;
  liveMs?: number;
  slowMs?: number;
  clock?: () => number;
}

/** Figures only the slow load computes; everything else comes from the fresher live views. */
const SLOW_FIELDS = [
  "ahead",
  "behind",
  "changedFiles",
  "linesAdded",
  "linesRemoved",
  "conflictsWith",
  "unreadNotes",
  "tokens",
  "costUsd",
  "cpuPercent",
  "rssBytes",
] as const satisfies readonly (keyof SessionView)[];

/** Live views (order, state, detail) with the slow figures of the same session filled in. */
export function mergeLive(live: SessionView[], slow: SessionView[]): SessionView[] {
  const byName = new Map(slow.map((v) => [v.name, v]));
  return live.map((v) => {
    const s = byName.get(v.name);
    if (!s) return v;
    const merged: SessionView = { ...v };
    for (const k of SLOW_FIELDS) (merged as unknown as Record<string, unknown>)[k] = s[k];
    return merged;
  });
}

export class PollingSource implements BoardSource {
  private data: BoardData;
  private slowFigures: SlowFigures | null = null;
  private listeners = new Set<(d: BoardData) => void>();
  private timers: NodeJS.Timeout[] = [];
  private slowRunning = false;
  private liveRunning = false;
  private liveViews: SessionView[] | null = null;
  private lastSent = "";
  /** Last slow-refresh failure, kept on screen until a slow refresh succeeds. */
  private slowError: string | null = null;

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
    void this.live();
    void this.slow();
  }

  /** First load, awaited by the runner so the board opens with figures. */
  async load(): Promise<void> {
    await this.live();
    await this.slow();
  }

  /** Only the cheap live figures: enough to draw the board at once; the slow figures follow while it shows. */
  async loadLive(): Promise<void> {
    await this.live();
  }

  private start(): void {
    void this.live();
    void this.slow();
    this.timers.push(setInterval(() => void this.live(), this.loaders.liveMs ?? 500));
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

  private async live(): Promise<void> {
    if (this.liveRunning) return;
    this.liveRunning = true;
    try {
      this.liveViews = await this.loaders.live();
      const views = mergeLive(this.liveViews, this.slowFigures?.views ?? []);
      this.publish({ views, liveAt: this.clock(), error: this.slowError });
    } catch (e) {
      this.publish({ error: `live: ${(e as Error).message}` });
    } finally {
      this.liveRunning = false;
    }
  }

  private async slow(): Promise<void> {
    if (this.slowRunning) return;
    this.slowRunning = true;
    try {
      this.slowFigures = await this.loaders.slow();
      this.slowError = null;
      const { recommendation, notes } = this.slowFigures;
      // until the first live load, the slow views (same shape, older state) are what there is
      const views = mergeLive(this.liveViews ?? this.slowFigures.views, this.slowFigures.views);
      this.publish({ views, recommendation, notes, gitAt: this.clock(), error: null });
    } catch (e) {
      this.slowError = `refresh: ${(e as Error).message}`;
      this.publish({ error: this.slowError });
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
