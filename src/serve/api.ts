/**
 * The JSON API, each endpoint a call into the same core functions the CLI uses (shapes in docs/serve.md).
 * Handlers return `[status, body]`; errors a user can act on come back as `{error, fix}` with 400/404/409.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { postNote } from "../coord/post.js";
import { queryNotes } from "../coord/query.js";
import { BraidError } from "../infra/errors.js";
import { parseStrategy } from "../merge/steps.js";
import { runTrain } from "../merge/train.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { radarJson, runRadar } from "../radar/radar.js";
import { SnapshotCache } from "../radar/snapshot.js";
import { runtimeOf } from "../runtime/run.js";
import { runnerFor } from "../runtime/runners.js";
import { stopSession } from "../session/control.js";
import { sendToSession } from "../session/interact.js";
import { ResourceSampler } from "../session/resources.js";
import { listSessionViews, SessionScreenDebouncer } from "../session/status.js";
import type { EventHub } from "./events.js";

type Reply = [status: number, body: unknown];

/** Lines of the agent's screen the detail endpoints return. */
const SCREEN_LINES = 60;

export class Api {
  private readonly debouncer = new SessionScreenDebouncer();
  private readonly sampler = new ResourceSampler();
  private readonly radarCache: SnapshotCache;

  constructor(
    private readonly ctx: ProjectContext,
    private readonly hub: EventHub,
  ) {
    this.radarCache = new SnapshotCache(join(ctx.project.stateDir, "radar", "snapshots.json"));
  }

  async handle(method: string, path: string, query: URLSearchParams, body: () => Promise<unknown>): Promise<Reply> {
    let parts: string[];
    try {
      parts = path.split("/").filter(Boolean).map(decodeURIComponent); // ["api", ...]
    } catch {
      return [400, { error: `bad URL encoding in ${path}`, fix: "encode session names with encodeURIComponent" }];
    }
    const [, what, name, action] = parts;
    if (method === "GET") {
      if (what === "sessions" && parts.length === 2) return [200, { sessions: await this.views() }];
      if (what === "sessions" && name && parts.length === 3) return this.session(name, true);
      if (what === "sessions" && name && action === "screen" && parts.length === 4) return this.session(name, false);
      if (what === "conflicts" && parts.length === 2)
        return [200, radarJson(await runRadar(this.ctx, { cache: this.radarCache }))];
      if (what === "notes" && parts.length === 2) return this.notes(query);
    }
    if (method === "POST") {
      if (what === "sessions" && name && action === "send" && parts.length === 4) return this.send(name, await body());
      if (what === "sessions" && name && action === "stop" && parts.length === 4) return this.stop(name);
      if (what === "notes" && parts.length === 2) return this.note(await body());
      if (what === "merge" && parts.length === 2) return this.merge(await body());
    }
    return [404, { error: `no such endpoint: ${method} ${path}`, fix: "see docs/serve.md for the API" }];
  }

  private views() {
    return listSessionViews(this.ctx, { debouncer: this.debouncer, sampler: this.sampler });
  }

  private known(name: string): Reply | null {
    if (this.ctx.store.get(name)) return null;
    return [404, { error: `no session named "${name}"`, fix: "GET /api/sessions lists them" }];
  }

  /** One session's view (full, or only the live state when the page polls the screen) and its screen tail. */
  private async session(name: string, full: boolean): Promise<Reply> {
    const missing = this.known(name);
    if (missing) return missing;
    // the screen poll reuses the event stream's latest views (refreshed every 500 ms) when there are any
    const views = full
      ? await this.views()
      : (this.hub.current() ??
        (await listSessionViews(this.ctx, { git: false, cost: false, debouncer: this.debouncer })));
    const view = views.find((v) => v.name === name) ?? null;
    return [200, { session: view, screen: await this.screen(name) }];
  }

  /** The last lines of the agent's live screen (its runner's, e.g. a tmux pane), else of its output log. */
  private async screen(name: string): Promise<string | null> {
    const rec = this.ctx.store.get(name);
    const rt = rec ? runtimeOf(rec) : null;
    if (!rec || !rt) return null;
    let text: string | null = null;
    if (isActive(rec.status))
      text = await runnerFor(rt)
        .capture({ ctx: this.ctx, name, rt }, 0)
        .catch(() => null);
    if (text === null && rt.logPath) {
      try {
        text = readFileSync(rt.logPath, "utf8").slice(-16_000);
      } catch {
        text = null;
      }
    }
    if (text === null) return null;
    const lines = text.replace(/\s+$/, "").split("\n");
    return lines.slice(-SCREEN_LINES).join("\n");
  }

  private async notes(q: URLSearchParams): Promise<Reply> {
    const r = await queryNotes(this.ctx, { for: q.get("for") ?? undefined, since: q.get("since") ?? undefined });
    return [200, { path: r.path, session: r.session, notes: r.notes, strayLines: r.strayLines }];
  }

  private async send(name: string, body: unknown): Promise<Reply> {
    const missing = this.known(name);
    if (missing) return missing;
    const text = field(body, "text");
    if (text === "") throw new BraidError("nothing to send", 'POST {"text": "..."}');
    await sendToSession(this.ctx, name, text);
    this.hub.poke();
    return [200, { name, sent: true }];
  }

  private async stop(name: string): Promise<Reply> {
    const missing = this.known(name);
    if (missing) return missing;
    const r = await stopSession(this.ctx, name);
    this.hub.poke();
    return [200, r];
  }

  private async note(body: unknown): Promise<Reply> {
    const to = optionalField(body, "to");
    const n = await postNote(this.ctx, { text: field(body, "text"), to: to || "all", from: "user" });
    return [200, n];
  }

  private async merge(body: unknown): Promise<Reply> {
    const names = (body as { names?: unknown })?.names ?? [];
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string"))
      throw new BraidError('"names" must be a list of session names', 'POST {"names": ["auth"]}');
    const verify = optionalField(body, "verify");
    const r = await runTrain(this.ctx, {
      names: names as string[],
      strategy: parseStrategy(optionalField(body, "strategy")),
      ...(verify ? { verify } : {}),
      dryRun: (body as { dryRun?: unknown })?.dryRun === true,
    });
    this.hub.broadcast("merge", r);
    this.hub.poke();
    return [r.stoppedAt ? 409 : 200, r];
  }
}

function field(body: unknown, key: string): string {
  const v = (body as Record<string, unknown> | null)?.[key];
  if (typeof v !== "string") throw new BraidError(`"${key}" must be a string`, `POST {"${key}": "..."}`);
  return v;
}

function optionalField(body: unknown, key: string): string | undefined {
  const v = (body as Record<string, unknown> | null)?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new BraidError(`"${key}" must be a string`, `POST {"${key}": "..."}`);
  return v;
}
