/**
 * A scripted Anthropic Messages API for the swarm/fork/plan tests: the real `claude -p` talks to
 * it over HTTP (ANTHROPIC_BASE_URL). A handler decides each reply from the request (the agent's
 * prompt, its working directory, whether a tool result came back); every request is logged with
 * its start and end time so tests can observe concurrency.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { REPO_ROOT, type Sandbox } from "../helpers/env.js";

export interface ModelRequest {
  /** The user's prompt text of the conversation's first turn. */
  prompt: string;
  /** Every user text of the conversation (parent turns included when resumed). */
  allUserText: string;
  /** "Working directory" from the system prompt. */
  cwd: string;
  tools: string[];
  /** The last message carries a tool_result (a follow-up turn after a tool call). */
  afterTool: boolean;
  /** Text of the last tool_result, if any. */
  toolResult: string;
}

export type Reply =
  | { text: string }
  | { tool: string; input: Record<string, unknown> }
  /** Answer through --json-schema's StructuredOutput tool (or as text when it is not offered). */
  | { structured: unknown };

export interface LoggedRequest extends ModelRequest {
  start: number;
  end: number;
  reply: Reply;
}

export interface ScriptedModel {
  url: string;
  log: LoggedRequest[];
  close(): Promise<void>;
}

function userTexts(messages: { role: string; content: unknown }[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role !== "user") continue;
    const blocks =
      typeof m.content === "string"
        ? [{ type: "text", text: m.content }]
        : (m.content as { type: string; text?: string }[]);
    for (const b of blocks)
      if (b.type === "text" && b.text && !b.text.startsWith("<system-reminder>")) out.push(b.text);
  }
  return out;
}

function systemText(system: unknown): string {
  if (typeof system === "string") return system;
  if (Array.isArray(system)) return system.map((b: { text?: string }) => b.text ?? "").join("\n");
  return "";
}

export async function startModel(
  handler: (req: ModelRequest) => Reply | Promise<Reply>,
  opts: { hold?: (req: ModelRequest) => Promise<void> | undefined } = {},
): Promise<ScriptedModel> {
  const log: LoggedRequest[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", async () => {
      if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
        return;
      }
      const start = Date.now();
      const j = JSON.parse(body) as {
        messages: { role: string; content: unknown }[];
        system: unknown;
        tools?: { name: string }[];
        model: string;
      };
      const texts = userTexts(j.messages);
      const last = j.messages[j.messages.length - 1];
      const lastBlocks = Array.isArray(last?.content) ? (last.content as { type: string; content?: unknown }[]) : [];
      const tr = lastBlocks.find((b) => b.type === "tool_result");
      const mreq: ModelRequest = {
        prompt: texts[0] ?? "",
        allUserText: texts.join("\n"),
        cwd: /working directory: (.+)/i.exec(systemText(j.system))?.[1]?.trim() ?? "",
        tools: (j.tools ?? []).map((t) => t.name),
        afterTool: Boolean(tr),
        toolResult: tr ? JSON.stringify(tr.content ?? "") : "",
      };
      let reply: Reply;
      try {
        reply = await handler(mreq);
      } catch (e) {
        reply = { text: `stub handler error: ${(e as Error).message}` };
      }
      await opts.hold?.(mreq);
      if ("structured" in reply) {
        reply = mreq.tools.includes("StructuredOutput")
          ? mreq.afterTool
            ? { text: "done" }
            : { tool: "StructuredOutput", input: reply.structured as Record<string, unknown> }
          : { text: JSON.stringify(reply.structured) };
      }
      n++;
      res.writeHead(200, { "content-type": "text/event-stream" });
      const ev = (type: string, d: Record<string, unknown>) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...d })}\n\n`);
      ev("message_start", {
        message: {
          id: `msg_${n}`,
          type: "message",
          role: "assistant",
          model: j.model,
          content: [],
          stop_reason: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      });
      if ("tool" in reply) {
        ev("content_block_start", {
          index: 0,
          content_block: { type: "tool_use", id: `toolu_${n}`, name: reply.tool, input: {} },
        });
        ev("content_block_delta", {
          index: 0,
          delta: { type: "input_json_delta", partial_json: JSON.stringify(reply.input) },
        });
        ev("content_block_stop", { index: 0 });
        ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 5 } });
      } else {
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: reply.text } });
        ev("content_block_stop", { index: 0 });
        ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 5 } });
      }
      ev("message_stop", {});
      res.end();
      log.push({ ...mreq, start, end: Date.now(), reply });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Environment that points the real Claude Code CLI at the stub, with an isolated HOME from the sandbox. */
export function claudeStubEnv(sb: Sandbox, model: ScriptedModel): NodeJS.ProcessEnv {
  mkdirSync(join(sb.home, ".claude"), { recursive: true });
  writeFileSync(join(sb.home, ".claude.json"), JSON.stringify({ hasCompletedOnboarding: true }));
  return {
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: "sk-ant-test-braid-swarm-0000000000",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    BRAID_CLAUDE_BIN: join(REPO_ROOT, "node_modules", ".bin", "claude"),
  };
}

/** Did any two requests matching `pick` run at the same time? Returns the largest number in flight at once. */
export function maxOverlap(log: LoggedRequest[], pick: (r: LoggedRequest) => boolean): number {
  const events = log.filter(pick).flatMap((r) => [
    { t: r.start, d: 1 },
    { t: r.end, d: -1 },
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

/**
 * Hold matching requests until `count` of them are in flight (or `timeoutMs` passes): concurrent
 * agents then overlap observably however slowly the machine starts them; sequential ones never reach the count.
 */
export function barrier(count: number, timeoutMs = 30_000) {
  let waiting: (() => void)[] = [];
  return (): Promise<void> =>
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
