/**
 * `GET /api/events`: Server-Sent Events. The board's own data source (live state every 500 ms from the
 * hooks' files, git figures/conflicts/notes every 3 s) feeds every client; notes come from following the
 * notes file; merges are published by the merge endpoint. Events:
 *   sessions {sessions, at}            the full views whenever something visible changed
 *   state    {name, state, since, detail, previous}   one per session whose state changed
 *   note     <note>                    each note as it is posted
 *   merge    <merge report>            after POST /api/merge
 */
import type { ServerResponse } from "node:http";
import { followNotes } from "../coord/follow.js";
import { readNotesFile } from "../coord/notes.js";
import { notesPath } from "../coord/paths.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionView } from "../session/types.js";

const PING_MS = 15_000;

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private source: import("../ui/board/source.js").PollingSource | null = null;
  private views: SessionView[] | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly stopNotes = new AbortController();
  private ping: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: ProjectContext) {}

  /**
   * Start watching (once): session data, notes, keep-alive pings. The terminal board's data source (no ink
   * in it) is loaded here, dynamically: src/ui/board is only ever imported on demand.
   */
  async start(): Promise<void> {
    const [{ realLoaders }, { PollingSource }] = await Promise.all([
      import("../ui/board/loaders.js"),
      import("../ui/board/source.js"),
    ]);
    this.source = new PollingSource(realLoaders(this.ctx));
    this.unsubscribe = this.source.subscribe((d) => {
      const before = new Map((this.views ?? []).map((v) => [v.name, v]));
      this.views = d.views;
      this.broadcast("sessions", this.snapshot());
      for (const v of d.views) {
        const p = before.get(v.name);
        if (p && p.state === v.state && p.since === v.since) continue;
        this.broadcast("state", {
          name: v.name,
          state: v.state,
          since: v.since,
          detail: v.detail,
          previous: p?.state ?? null,
        });
      }
    });
    void this.followNotes();
    this.ping = setInterval(() => {
      for (const c of this.clients) c.write(": ping\n\n");
    }, PING_MS);
    this.ping.unref();
  }

  private async followNotes(): Promise<void> {
    const file = notesPath(this.ctx);
    const last = readNotesFile(file).notes.at(-1);
    try {
      for await (const n of followNotes(
        file,
        last ? { id: last.id, time: last.time } : undefined,
        this.stopNotes.signal,
      ))
        this.broadcast("note", n);
    } catch {
      /* a damaged notes file: the notes endpoint reports it */
    }
  }

  private snapshot() {
    return {
      sessions: this.views ?? [],
      at: new Date().toISOString(),
      project: this.source?.current().project ?? null,
    };
  }

  /** The latest views the source produced (null before the first load). */
  current(): SessionView[] | null {
    return this.views;
  }

  /** Refresh now (after an action changed something). */
  poke(): void {
    this.source?.poke();
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    if (this.views) this.send(res, "sessions", this.snapshot());
    res.on("close", () => this.clients.delete(res));
  }

  broadcast(event: string, data: unknown): void {
    for (const c of this.clients) this.send(c, event, data);
  }

  private send(res: ServerResponse, event: string, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    this.unsubscribe?.();
    this.stopNotes.abort();
    if (this.ping) clearInterval(this.ping);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
