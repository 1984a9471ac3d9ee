/**
 * A scripted Anthropic Messages API server for driving the real Claude Code CLI offline.
 *
 * Claude sends two kinds of model requests: the agent's own turns ("main": they carry the tool list) and
 * requests on the side (session titles, topic checks, quota probes, summaries…: no tools). Only main
 * requests consume scripted turns; side requests get a harmless default so they never disturb a script.
 * Several Claude processes can share one stub: scripts are keyed by the working directory Claude puts in
 * its system prompt, or by a marker in the first user message. Requests record when they arrived and when
 * their reply was sent, so tests can observe concurrency (`maxOverlap`, `barrier`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TurnUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type TurnBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string };

/** One scripted model reply. `text` and `toolUse` are shorthands for `blocks`. */
export interface Turn {
  text?: string;
  toolUse?:
    | { name: string; input: Record<string, unknown>; id?: string }
    | { name: string; input: Record<string, unknown>; id?: string }[];
  blocks?: TurnBlock[];
  /**
   * Answer through `--json-schema`'s StructuredOutput tool: a StructuredOutput call with this input when the
   * request offers that tool ("done" once its result came back), else this value as JSON text.
   */
  structured?: unknown;
  /** Wait this long before sending anything (holds the agent "working"). */
  delayMs?: number;
  /** Send nothing until this settles (then `delayMs`, if any): hold the agent working until the test says so. */
  holdUntil?: Promise<unknown>;
  usage?: TurnUsage;
  /** Defaults to tool_use when the turn has a tool call, else end_turn. */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence";
  /** Reply with an HTTP error instead (e.g. 529 overloaded, 400 invalid request). */
  httpError?: { status: number; type: string; message: string };
}

export type RequestKind = "main" | "side" | "count_tokens" | "other";

export interface StubRequest {
  /** 1-based order of arrival. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: the Messages API body is free-form JSON
  body: any;
  kind: RequestKind;
  /** Working directory from the system prompt ("Working directory: /abs/path"), if any. */
  cwd: string | undefined;
  /** Epoch milliseconds, sub-millisecond precise (a reply and the next request can fall in the same millisecond). */
  receivedAt: number;
  /** When the reply was sent (or the client went away); undefined while it is held. */
  finishedAt: number | undefined;
  /** The turn sent back (main and side requests). */
  reply: Turn | undefined;
  /** Name of the script that answered, if one did. */
  script: string | undefined;
}

export type Responder = (req: StubRequest) => Turn | undefined | Promise<Turn | undefined>;

export type ConversationMatch = { cwd: string } | { marker: string } | ((req: StubRequest) => boolean);

export interface Script {
  name: string;
  match: ConversationMatch;
  turns: Turn[];
  /** Turns consumed so far. */
  used: number;
  /** Reply once the turns run out (default: a short end_turn text). */
  after: Turn;
}

const DEFAULT_MAIN: Turn = { text: "OK." };
const DEFAULT_SIDE: Turn = { text: "Stub session" };

export interface ModelStubOptions {
  /** Fallback for main requests no script matches (default: "OK." end_turn). */
  responder?: Responder;
  /** Reply to side requests (default: a short text). */
  sideResponder?: Responder;
  /** Model name echoed back in replies. */
  model?: string;
}

export class ModelStub {
  readonly requests: StubRequest[] = [];
  private readonly scripts: Script[] = [];
  private server: Server | undefined;
  private nextToolId = 1;
  private seq = 0;
  private waiters: { pred: (r: StubRequest) => boolean; resolve: (r: StubRequest) => void }[] = [];
  url = "";

  constructor(private readonly opts: ModelStubOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(e) } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Script a conversation: each main request that matches consumes the next turn. */
  script(match: ConversationMatch, turns: Turn[], opts: { name?: string; after?: Turn } = {}): Script {
    const s: Script = {
      name: opts.name ?? `script-${this.scripts.length + 1}`,
      match,
      turns,
      used: 0,
      after: opts.after ?? DEFAULT_MAIN,
    };
    this.scripts.push(s);
    return s;
  }

  /** Script keyed by the working directory Claude reports in its system prompt. */
  scriptForCwd(cwd: string, turns: Turn[], name?: string): Script {
    return this.script({ cwd }, turns, { name: name ?? cwd });
  }

  /** Script keyed by a marker string in the conversation's first user message. */
  scriptForMarker(marker: string, turns: Turn[], name?: string): Script {
    return this.script({ marker }, turns, { name: name ?? marker });
  }

  mainRequests(filter?: { cwd?: string; script?: string }): StubRequest[] {
    return this.requests.filter(
      (r) =>
        r.kind === "main" &&
        (filter?.cwd === undefined || r.cwd === filter.cwd) &&
        (filter?.script === undefined || r.script === filter.script),
    );
  }

  /** Model requests (main and side) whose reply has been sent, in order of arrival; only those after `afterSeq`. */
  answered(afterSeq = 0): StubRequest[] {
    return this.requests.filter(
      (r) => r.seq > afterSeq && (r.kind === "main" || r.kind === "side") && r.finishedAt !== undefined,
    );
  }

  /** Resolves with the first request (already received or future) matching `pred`. */
  waitForRequest(pred: (r: StubRequest) => boolean, timeoutMs = 30_000): Promise<StubRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`model stub: no matching request within ${timeoutMs} ms (${this.requests.length} received)`));
      }, timeoutMs);
      const done = (r: StubRequest) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const r: StubRequest = {
      seq: ++this.seq,
      method: req.method ?? "GET",
      path,
      query,
      headers: req.headers,
      body,
      kind: classify(req.method ?? "GET", path, body),
      cwd: workingDirectory(body),
      receivedAt: now(),
      finishedAt: undefined,
      reply: undefined,
      script: undefined,
    };
    this.requests.push(r);
    for (const w of this.waiters.filter((w) => w.pred(r))) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(r);
    }
    res.on("close", () => {
      r.finishedAt = now();
    });

    if (r.method === "HEAD" || (r.method === "GET" && path === "/")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(r.method === "HEAD" ? undefined : "ok");
      return;
    }
    if (r.kind === "count_tokens") {
      const tokens = Math.max(1, Math.ceil(raw.length / 4));
      return sendJson(res, 200, { input_tokens: tokens });
    }
    if (r.kind === "other") {
      // Anything else Claude might probe (e.g. /v1/models, /api/...): an empty but well-formed answer.
      return sendJson(res, 200, r.method === "GET" ? { data: [], has_more: false } : {});
    }

    let turn: Turn | undefined;
    if (r.kind === "side") {
      turn = (await this.opts.sideResponder?.(r)) ?? DEFAULT_SIDE;
    } else {
      const s = this.scripts.find((s) => matches(s.match, r));
      if (s) {
        r.script = s.name;
        turn = s.used < s.turns.length ? s.turns[s.used++] : s.after;
      } else {
        turn = (await this.opts.responder?.(r)) ?? DEFAULT_MAIN;
      }
    }
    if (turn?.structured !== undefined) turn = structuredTurn(turn, r);
    r.reply = turn;
    if (turn?.holdUntil) await untilClosedOr(turn.holdUntil, res);
    if (turn?.delayMs) await sleepUnlessClosed(turn.delayMs, res);
    if (res.destroyed) return;
    if (turn?.httpError) {
      return sendJson(res, turn.httpError.status, {
        type: "error",
        error: { type: turn.httpError.type, message: turn.httpError.message },
      });
    }
    const blocks = this.blocksOf(turn ?? DEFAULT_MAIN);
    const model = this.opts.model ?? (typeof r.body?.model === "string" ? r.body.model : "claude-stub");
    const stopReason = turn?.stopReason ?? (blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
    const usage = {
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      ...turn?.usage,
    };
    const id = `msg_stub_${r.seq}`;
    if (r.body?.stream === true) streamMessage(res, id, model, blocks, stopReason, usage);
    else
      sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content: blocks,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      });
  }

  private blocksOf(turn: Turn): TurnBlock[] {
    const blocks: TurnBlock[] = [...(turn.blocks ?? [])];
    if (turn.text !== undefined) blocks.unshift({ type: "text", text: turn.text });
    const tools = turn.toolUse === undefined ? [] : Array.isArray(turn.toolUse) ? turn.toolUse : [turn.toolUse];
    for (const t of tools) blocks.push({ type: "tool_use", ...t });
    if (blocks.length === 0) blocks.push({ type: "text", text: "" });
    return blocks.map((b) => (b.type === "tool_use" ? { ...b, id: b.id ?? `toolu_stub_${this.nextToolId++}` } : b));
  }
}

/** Start a stub on a random 127.0.0.1 port. */
export function startModelStub(opts: ModelStubOptions = {}): Promise<ModelStub> {
  return new ModelStub(opts).start();
}

// ---------- request inspection helpers ----------

// biome-ignore lint/suspicious/noExplicitAny: Messages API content blocks are free-form
type Block = any;

function contentBlocks(content: unknown): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content : [];
}

/** The system prompt as one string. */
export function systemText(body: StubRequest["body"]): string {
  const sys = body?.system;
  if (typeof sys === "string") return sys;
  if (Array.isArray(sys)) return sys.map((b: Block) => (typeof b?.text === "string" ? b.text : "")).join("\n");
  return "";
}

/** Text of the first user message (the prompt that started the conversation, plus injected context). */
export function firstUserText(body: StubRequest["body"]): string {
  const first = (body?.messages ?? []).find((m: Block) => m?.role === "user");
  return first ? blocksText(contentBlocks(first.content)) : "";
}

/** Text of the last user message (kit API, docs/testing.md). @public */
export function lastUserText(body: StubRequest["body"]): string {
  const msgs: Block[] = body?.messages ?? [];
  const last = [...msgs].reverse().find((m) => m?.role === "user");
  return last ? blocksText(contentBlocks(last.content)) : "";
}

function blocksText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b?.type === "text") return String(b.text ?? "");
      if (b?.type === "tool_result") return blocksText(contentBlocks(b.content));
      return "";
    })
    .join("\n");
}

export interface ToolResult {
  toolUseId: string;
  isError: boolean;
  text: string;
}

/** tool_result blocks in the request's last user message. */
export function toolResults(req: StubRequest): ToolResult[] {
  const msgs: Block[] = req.body?.messages ?? [];
  const last = [...msgs].reverse().find((m) => m?.role === "user");
  if (!last) return [];
  return contentBlocks(last.content)
    .filter((b) => b?.type === "tool_result")
    .map((b) => ({
      toolUseId: String(b.tool_use_id),
      isError: b.is_error === true,
      text: blocksText(contentBlocks(b.content)),
    }));
}

/** True when `needle` appears anywhere in the request: system prompt, any message, tool definitions. */
export function requestContains(req: StubRequest, needle: string | RegExp): boolean {
  const hay = JSON.stringify(req.body ?? "");
  // Search the JSON and its unescaped texts, so multi-line needles and quotes still match.
  const texts = [
    hay,
    systemText(req.body),
    ...(req.body?.messages ?? []).map((m: Block) => blocksText(contentBlocks(m?.content))),
  ];
  return texts.some((t) => (typeof needle === "string" ? t.includes(needle) : needle.test(t)));
}

/** Names of the tools the request offers the model. */
export function toolNames(req: StubRequest): string[] {
  return (req.body?.tools ?? []).map((t: Block) => String(t?.name));
}

/** The texts the user wrote in the conversation, oldest first: user text blocks minus injected `<system-reminder>` context. */
export function userTexts(req: StubRequest): string[] {
  const out: string[] = [];
  for (const m of (req.body?.messages ?? []) as Block[]) {
    if (m?.role !== "user") continue;
    for (const b of contentBlocks(m.content))
      if (b?.type === "text" && b.text && !String(b.text).startsWith("<system-reminder>")) out.push(String(b.text));
  }
  return out;
}

/** The prompt that started the conversation (its first user text, injected context left out). */
export function promptOf(req: StubRequest): string {
  return userTexts(req)[0] ?? "";
}

/** The request carries tool results: it asks for the model's next turn after a tool call. */
export function afterTool(req: StubRequest): boolean {
  return toolResults(req).length > 0;
}

/** The largest number of requests matching `pick` whose replies were in flight at once (answered requests only). */
export function maxOverlap(reqs: StubRequest[], pick: (r: StubRequest) => boolean): number {
  const events = reqs
    .filter((r) => r.finishedAt !== undefined && pick(r))
    .flatMap((r) => [
      { t: r.receivedAt, d: 1 },
      { t: r.finishedAt as number, d: -1 },
    ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let cur = 0;
  let max = 0;
  for (const e of events) {
    cur += e.d;
    max = Math.max(max, cur);
  }
  return max;
}

// ---------- internals ----------

function now(): number {
  return performance.timeOrigin + performance.now();
}

function classify(method: string, path: string, body: unknown): RequestKind {
  if (path.endsWith("/count_tokens")) return "count_tokens";
  if (method !== "POST" || !path.endsWith("/v1/messages")) return "other";
  // The agent's own turns always offer tools; titles/summaries/quota probes offer none.
  const tools = (body as { tools?: unknown[] } | undefined)?.tools;
  return Array.isArray(tools) && tools.length > 0 ? "main" : "side";
}

function workingDirectory(body: unknown): string | undefined {
  const text = systemText(body);
  const m = /Working directory: (\S[^\n]*)/.exec(text) ?? /Primary working directory: (\S[^\n]*)/.exec(text);
  if (m?.[1]) return m[1].trim();
  const ctx = firstUserText(body);
  const n = /Working directory: (\S[^\n]*)/.exec(ctx);
  return n?.[1]?.trim();
}

function matches(m: ConversationMatch, r: StubRequest): boolean {
  if (typeof m === "function") return m(r);
  if ("cwd" in m) return r.cwd === m.cwd;
  return (r.body?.messages ?? []).some(
    (msg: Block, i: number) =>
      i === firstUserIndex(r.body) && blocksText(contentBlocks(msg?.content)).includes(m.marker),
  );
}

function firstUserIndex(body: StubRequest["body"]): number {
  return (body?.messages ?? []).findIndex((m: Block) => m?.role === "user");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function untilClosedOr(p: Promise<unknown>, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("close", done);
      resolve();
    };
    res.on("close", done);
    p.then(done, done);
  });
}

/** A promise and its resolver, for `Turn.holdUntil`. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * For `Turn.holdUntil`: each call returns a promise that settles once `count` calls are waiting (or after
 * `timeoutMs`). Holding requests on it makes concurrent agents overlap observably however slowly the machine
 * starts them; sequential ones never reach the count.
 */
export function barrier(count: number, timeoutMs = 30_000): () => Promise<void> {
  let waiting: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length >= count) {
        for (const w of waiting) w();
        waiting = [];
      } else {
        setTimeout(resolve, timeoutMs).unref();
      }
    });
}

/** Resolve `Turn.structured` for this request (see there). */
function structuredTurn(turn: Turn, r: StubRequest): Turn {
  const { structured, ...rest } = turn;
  if (!toolNames(r).includes("StructuredOutput")) return { ...rest, text: JSON.stringify(structured) };
  if (afterTool(r)) return { ...rest, text: "done" };
  return { ...rest, toolUse: { name: "StructuredOutput", input: structured as Record<string, unknown> } };
}

function sleepUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
    res.on("close", done);
  });
}

function streamMessage(
  res: ServerResponse,
  id: string,
  model: string,
  blocks: TurnBlock[],
  stopReason: string,
  usage: Required<TurnUsage>,
): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send("message_start", {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  blocks.forEach((b, index) => {
    if (b.type === "text") {
      send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: b.text } });
    } else {
      send("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: b.id, name: b.name, input: {} },
      });
      send("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) },
      });
    }
    send("content_block_stop", { type: "content_block_stop", index });
  });
  send("message_delta", {
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send("message_stop", { type: "message_stop" });
  res.end();
}
