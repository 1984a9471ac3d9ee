/**
 * The board's real data. Live (every 500 ms): `listSessionViews` without git: hook state files, one tmux
 * list-panes and one batched capture. Slow (every 3 s): the supervisor step (record ended and running
 * sessions, start queued ones: the board keeps the cascade moving while it is open), then in parallel the
 * full views (git figures, conflict radar, cost, CPU/memory), unread notes and the notes list — but only when
 * a watched file changed (changes.ts) or there are queued sessions to start, and in full every
 * FULL_REFRESH_MS. An idle board runs no git at all. The scaling advice is worked out once per full refresh.
 */
import { basename } from "node:path";
import { type Note, readNotesFile } from "../../coord/notes.js";
import { notesPath } from "../../coord/paths.js";
import { unreadNotes } from "../../coord/unread.js";
import type { ProjectContext } from "../../project/context.js";
import { ResourceSampler } from "../../session/resources.js";
import { listSessionViews, SessionScreenDebouncer } from "../../session/status.js";
import { supervisorTick } from "../../session/supervisor.js";
import { recommend } from "../../worktree/recommend.js";
import { changeStamp } from "./changes.js";
import type { BoardNote } from "./model.js";
import type { SlowFigures, SourceLoaders } from "./source.js";

/** However quiet the sessions: everything again this often (edits no hook reported, pane deaths). */
const FULL_REFRESH_MS = 30_000;

/** How many recent notes the notes view keeps. */
const NOTES_SHOWN = 200;

function boardNotes(ctx: ProjectContext, unreadIds: Set<string>): BoardNote[] {
  const notes: Note[] = readNotesFile(notesPath(ctx)).notes.slice(-NOTES_SHOWN);
  return notes.map((n) => ({
    at: n.time,
    from: n.from,
    to: n.to === "all" ? null : n.to,
    text: n.text,
    unread: unreadIds.has(n.id),
  }));
}

/** A failing optional figure (radar on a broken ref, a damaged notes file) must not blank the board. */
async function orElse<T>(p: Promise<T> | (() => T), fallback: T): Promise<T> {
  try {
    return await (typeof p === "function" ? p() : p);
  } catch {
    return fallback;
  }
}

export function realLoaders(ctx: ProjectContext): SourceLoaders {
  const sampler = new ResourceSampler();
  const liveDebouncer = new SessionScreenDebouncer();
  const slowDebouncer = new SessionScreenDebouncer();
  const tickDebouncer = new SessionScreenDebouncer();
  let last: { stamp: string; at: number; figures: SlowFigures } | null = null;
  let advice: { at: number; line: string | null } | null = null;
  return {
    project: basename(ctx.project.mainWorktree),
    limit: ctx.config.max_code_sessions,
    live: () => listSessionViews(ctx, { git: false, debouncer: liveDebouncer }),
    slow: async (): Promise<SlowFigures> => {
      const now = Date.now();
      const full = !last || now - last.at >= FULL_REFRESH_MS;
      const queued = ctx.store.sessions().some((s) => s.status === "queued");
      if (last && !full && !queued && changeStamp(ctx) === last.stamp) return last.figures;
      await supervisorTick(ctx, { debouncer: tickDebouncer });
      // Stamped after the supervisor step (it writes the registry) and before the load: a change made while the
      // figures are worked out shows at the next tick.
      const stamp = changeStamp(ctx);
      // Full views carry git figures, conflicts (the radar), cost and CPU/memory.
      const [views, line] = await Promise.all([
        listSessionViews(ctx, { debouncer: slowDebouncer, sampler }),
        advice && now - advice.at < FULL_REFRESH_MS
          ? advice.line
          : orElse(recommend(ctx), null).then((a) => (a ? recommendationLine(a) : null)),
      ]);
      if (!advice || now - advice.at >= FULL_REFRESH_MS) advice = { at: now, line };
      // A note is shown unread while some session it is addressed to has not read it yet.
      const unreadIds = new Set<string>();
      const unread = new Map<string, number>();
      for (const v of views) {
        const mine = await orElse(() => unreadNotes(ctx, v.name), [] as Note[]);
        unread.set(v.name, mine.length);
        for (const n of mine) unreadIds.add(n.id);
      }
      const withFigures = views.map((v) => ({ ...v, unreadNotes: unread.get(v.name) ?? 0 }));
      const notes = await orElse(() => boardNotes(ctx, unreadIds), [] as BoardNote[]);
      const figures = { views: withFigures, recommendation: line, notes };
      last = { stamp, at: full || !last ? now : last.at, figures };
      return figures;
    },
  };
}

function recommendationLine(r: Awaited<ReturnType<typeof recommend>>): string {
  const over = r.liveCodeSessions > r.limit;
  return `${r.trackedFiles} files → ${r.advice}${over ? ` · ${r.liveCodeSessions} live is over the limit (${r.limit})` : ""}`;
}
